import ExporterCore

/// The sample lines of `families` in text format, sorted, without HELP and TYPE lines,
/// and without the series named in `excluding` (wall-clock values).
func sampleLines(_ families: [MetricFamily], excluding: Set<String> = []) -> [String] {
    String(decoding: ExpositionWriter.render(families, format: .text), as: UTF8.self)
        .split(separator: "\n").map(String.init)
        .filter { !$0.hasPrefix("#") }
        .filter { line in !excluding.contains(where: { line.hasPrefix($0 + "{") || line.hasPrefix($0 + " ") }) }
        .sorted()
}

/// The value of the one series of `name` whose labels include all of `labels`, or nil.
func value(_ families: [MetricFamily], _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for family in families where family.name == name {
        for series in family.series {
            let present = Dictionary(uniqueKeysWithValues: series.labels.map { ($0.name, $0.value) })
            guard labels.allSatisfy({ present[$0.key] == $0.value }) else { continue }
            if case .number(let number) = series.value { return number }
        }
    }
    return nil
}
