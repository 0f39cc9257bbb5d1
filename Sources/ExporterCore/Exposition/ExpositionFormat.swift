import ExporterConfig

/// The two exposition formats `/metrics` speaks, chosen from the scrape's `Accept` header.
public enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4.
    case text
    /// OpenMetrics 1.0.0.
    case openMetrics

    public var contentType: String {
        switch self {
        case .text: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// Picks OpenMetrics when the client prefers `application/openmetrics-text` (by q-value) to the
    /// text format, and the text format otherwise (also for a missing or unparseable header).
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var openMetricsQuality = -1.0
        var textQuality = -1.0
        for range in accept.split(separator: ",") {
            let parameters = range.split(separator: ";").map { $0.trimmingASCIISpaces().lowercased() }
            guard let mediaType = parameters.first else { continue }
            var quality = 1.0
            var version: String?
            for parameter in parameters.dropFirst() {
                if parameter.hasPrefix("q="), let value = Double(parameter.dropFirst(2)) { quality = value }
                if parameter.hasPrefix("version=") { version = String(parameter.dropFirst(8)) }
            }
            switch mediaType {
            case "application/openmetrics-text":
                // Only 1.0.0 (or unversioned) is served; 0.0.1 parsers expect other rules.
                if version == nil || version == "1.0.0" { openMetricsQuality = max(openMetricsQuality, quality) }
            case "text/plain", "*/*", "text/*":
                textQuality = max(textQuality, quality)
            default:
                continue
            }
        }
        return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? .openMetrics : .text
    }
}

extension Substring {
    func trimmingASCIISpaces() -> String { trimmed { $0 == " " || $0 == "\t" } }
}
