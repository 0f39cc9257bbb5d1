/// Renders metric families as Prometheus text 0.0.4 or OpenMetrics 1.0.0.
///
/// Families are sorted by name and series by their rendered label sets, so identical state gives
/// byte-identical output. Families with the same name (one per organisation) are merged; the first
/// HELP and type win, and every family of one name is declared once in code so they agree.
public enum ExpositionWriter {
    /// Renders `families` (from any number of snapshots) into `buffer`.
    public static func write(_ families: [MetricFamily], format: ExpositionFormat, into buffer: inout [UInt8]) {
        for family in merge(families) {
            writeFamily(family, format: format, into: &buffer)
        }
        if format == .openMetrics { buffer.append(contentsOf: "# EOF\n".utf8) }
    }

    /// Renders and returns a fresh buffer.
    public static func render(_ families: [MetricFamily], format: ExpositionFormat) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        write(families, format: format, into: &buffer)
        return buffer
    }

    /// Merges same-named families and sorts families and series; drops families without series.
    public static func merge(_ families: [MetricFamily]) -> [MetricFamily] {
        var byName: [String: MetricFamily] = [:]
        for family in families where !family.series.isEmpty {
            if var existing = byName[family.name] {
                existing.series += family.series
                byName[family.name] = existing
            } else {
                byName[family.name] = family
            }
        }
        return byName.keys.sorted().map { name in
            var family = byName[name]!
            family.series = family.series
                .map { (key: renderLabels($0.labels, escaping: .text), series: $0) }
                .sorted { $0.key < $1.key }
                .map(\.series)
            return family
        }
    }

    static func writeFamily(_ family: MetricFamily, format: ExpositionFormat, into buffer: inout [UInt8]) {
        let escaping: Escaping = format == .openMetrics ? .openMetrics : .text
        // OpenMetrics names a counter family without its `_total` suffix; the samples keep it.
        var declaredName = family.name
        if format == .openMetrics && family.kind == .counter { declaredName.removeLast("_total".count) }
        buffer.append(contentsOf: "# HELP \(declaredName) \(escape(family.help, escaping, isHelp: true))\n".utf8)
        buffer.append(contentsOf: "# TYPE \(declaredName) \(family.kind.rawValue)\n".utf8)
        for series in family.series {
            switch series.value {
            case .number(let value):
                sample(family.name, series.labels, value, escaping, into: &buffer)
            case .histogram(let buckets, let sum, let count):
                for bucket in buckets where bucket.upperBound.isFinite {
                    let le =
                        format == .openMetrics
                        ? canonicalNumber(bucket.upperBound) : formatValue(bucket.upperBound)
                    sample(
                        family.name + "_bucket", series.labels + [Label("le", le)], Double(bucket.cumulativeCount),
                        escaping, into: &buffer)
                }
                sample(
                    family.name + "_bucket", series.labels + [Label("le", "+Inf")], Double(count), escaping,
                    into: &buffer)
                sample(family.name + "_count", series.labels, Double(count), escaping, into: &buffer)
                sample(family.name + "_sum", series.labels, sum, escaping, into: &buffer)
            }
        }
    }

    static func sample(
        _ name: String, _ labels: [Label], _ value: Double, _ escaping: Escaping, into buffer: inout [UInt8]
    ) {
        buffer.append(contentsOf: name.utf8)
        buffer.append(contentsOf: renderLabels(labels, escaping: escaping).utf8)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: formatValue(value).utf8)
        buffer.append(UInt8(ascii: "\n"))
    }

    // MARK: - Escaping and numbers

    enum Escaping {
        /// Text 0.0.4: `\` and newline in HELP; `\`, `"` and newline in label values.
        case text
        /// OpenMetrics: `\`, `"` and newline everywhere.
        case openMetrics
    }

    static func renderLabels(_ labels: [Label], escaping: Escaping) -> String {
        guard !labels.isEmpty else { return "" }
        return "{"
            + labels.map { "\($0.name)=\"\(escape($0.value, escaping, isHelp: false))\"" }
            .joined(separator: ",") + "}"
    }

    static func escape(_ text: String, _ escaping: Escaping, isHelp: Bool) -> String {
        let escapeQuote = !isHelp || escaping == .openMetrics
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || (escapeQuote && $0 == "\"") })
        else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\"" where escapeQuote: result += "\\\""
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A sample value: whole numbers without a fraction, `+Inf`, `-Inf`, `NaN`, else the shortest
    /// representation that reads back to the same `Double`.
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// OpenMetrics' canonical form for `le`: a whole number keeps `.0` (`1.0`), as its parsers require.
    static func canonicalNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return "\(value)"
    }
}
