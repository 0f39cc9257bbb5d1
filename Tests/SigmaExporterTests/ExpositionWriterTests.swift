import ExporterCore
import Testing

@Suite("Exposition writer")
struct ExpositionWriterTests {
    func text(_ families: [MetricFamily], _ format: ExpositionFormat = .text) -> String {
        String(decoding: ExpositionWriter.render(families, format: format), as: UTF8.self)
    }

    @Test func escapesLabelValuesAndHelpInTheTextFormat() {
        let family = MetricFamily.gauge(
            "sigma_test", help: "Back\\slash, \"quotes\" and a\nnewline",
            [Series([Label("org", "a\\b\"c\nd")], 1)])
        #expect(
            text([family]) == """
                # HELP sigma_test Back\\\\slash, "quotes" and a\\nnewline
                # TYPE sigma_test gauge
                sigma_test{org="a\\\\b\\"c\\nd"} 1

                """)
    }

    @Test func escapesQuotesInHelpForOpenMetrics() {
        let family = MetricFamily.gauge("sigma_test", help: "say \"hi\"\\", [Series([], 0.5)])
        #expect(
            text([family], .openMetrics) == """
                # HELP sigma_test say \\"hi\\"\\\\
                # TYPE sigma_test gauge
                sigma_test 0.5
                # EOF

                """)
    }

    @Test func sortsFamiliesAndSeriesAndMergesOrganisations() {
        let orgB = MetricFamily.gauge("sigma_b", help: "B.", [Series([Label("org", "zeta")], 2)])
        let orgA = MetricFamily.gauge("sigma_b", help: "B.", [Series([Label("org", "alpha")], 1)])
        let first = MetricFamily.gauge("sigma_a", help: "A.", [Series([], 3)])
        let expected = """
            # HELP sigma_a A.
            # TYPE sigma_a gauge
            sigma_a 3
            # HELP sigma_b B.
            # TYPE sigma_b gauge
            sigma_b{org="alpha"} 1
            sigma_b{org="zeta"} 2

            """
        #expect(text([orgB, first, orgA]) == expected)
        #expect(text([orgA, orgB, first]) == expected)  // byte-identical whatever the input order
    }

    @Test func writesSpecialValuesAndShortestNumbers() {
        let family = MetricFamily.gauge(
            "sigma_values", help: "Values.",
            [
                Series([Label("v", "a")], .infinity), Series([Label("v", "b")], -.infinity),
                Series([Label("v", "c")], .nan), Series([Label("v", "d")], 1_795_925_367.579747),
                Series([Label("v", "e")], 0.1), Series([Label("v", "f")], -3),
            ])
        let lines = text([family]).split(separator: "\n").dropFirst(2)
        #expect(
            Array(lines) == [
                "sigma_values{v=\"a\"} +Inf", "sigma_values{v=\"b\"} -Inf", "sigma_values{v=\"c\"} NaN",
                "sigma_values{v=\"d\"} 1795925367.579747", "sigma_values{v=\"e\"} 0.1", "sigma_values{v=\"f\"} -3",
            ])
    }

    @Test func namesCounterFamiliesWithoutTotalInOpenMetricsOnly() {
        let family = MetricFamily.counter("sigma_checks_total", help: "Checks.", [Series([], 4)])
        #expect(text([family]).contains("# TYPE sigma_checks_total counter\nsigma_checks_total 4\n"))
        #expect(
            text([family], .openMetrics) == """
                # HELP sigma_checks Checks.
                # TYPE sigma_checks counter
                sigma_checks_total 4
                # EOF

                """)
    }

    @Test func writesHistogramsWithCumulativeBucketsAndCanonicalLeForOpenMetrics() {
        let family = MetricFamily(
            name: "sigma_duration_seconds", help: "Durations.", kind: .histogram,
            series: [
                Series(
                    [Label("org", "a")],
                    histogram: [
                        Bucket(upperBound: 0.5, cumulativeCount: 1), Bucket(upperBound: 1, cumulativeCount: 2),
                    ],
                    sum: 1.25, count: 3)
            ])
        #expect(
            text([family]) == """
                # HELP sigma_duration_seconds Durations.
                # TYPE sigma_duration_seconds histogram
                sigma_duration_seconds_bucket{org="a",le="0.5"} 1
                sigma_duration_seconds_bucket{org="a",le="1"} 2
                sigma_duration_seconds_bucket{org="a",le="+Inf"} 3
                sigma_duration_seconds_count{org="a"} 3
                sigma_duration_seconds_sum{org="a"} 1.25

                """)
        #expect(text([family], .openMetrics).contains("sigma_duration_seconds_bucket{org=\"a\",le=\"1.0\"} 2\n"))
    }

    @Test func dropsFamiliesWithoutSeries() {
        let empty = MetricFamily.gauge("sigma_empty", help: "Nothing.", [])
        #expect(text([empty]).isEmpty)
        #expect(text([empty], .openMetrics) == "# EOF\n")
    }

    @Test(arguments: [
        (nil, ExpositionFormat.text),
        ("text/plain", .text),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1", .openMetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.3,text/plain;version=0.0.4;q=0.9", .text),
        ("application/openmetrics-text;version=0.0.1", .text),
        ("application/openmetrics-text;q=0", .text),
        ("nonsense", .text),
    ])
    func negotiatesTheFormatFromAccept(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }
}
