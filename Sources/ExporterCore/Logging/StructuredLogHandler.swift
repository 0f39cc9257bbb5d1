import Foundation
import Logging

/// A swift-log handler writing logfmt (`ts=… level=info msg="…" key=value`) or one JSON object
/// per line. swift-log ships neither; Prometheus' tools default to logfmt and offer JSON.
///
/// Keys are written in a fixed order (`ts`, `level`, `source`, `msg`, then metadata sorted), so
/// lines are greppable and diffable. An `err` passed as the event's error is written as `err`.
public struct StructuredLogHandler: LogHandler {
    public enum Style: Sendable { case logfmt, json }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let style: Style
    let sink: LogSink

    public init(style: Style, level: Logger.Level, sink: LogSink) {
        self.style = style
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["err"] = "\(error)" }
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", Self.levelName(event.level)), ("source", event.source),
            ("msg", event.message.description),
        ]
        for key in merged.keys.sorted() { fields.append((key, Self.flatten(merged[key]!))) }
        sink.write(style == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "debug"
        case .info, .notice: return "info"
        case .warning: return "warn"
        case .error, .critical: return "error"
        }
    }

    static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return "[" + values.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            return "{" + dictionary.keys.sorted().map { "\($0)=\(flatten(dictionary[$0]!))" }.joined(separator: ",")
                + "}"
        }
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        var line = ""
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line += " " }
            line += key + "=" + logfmtValue(value)
        }
        return line + "\n"
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 || $0 == "\\" }
        guard needsQuotes else { return value }
        return "\"" + escaped(value, quoteUnicodeControls: false) + "\""
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{"
            + fields.map {
                "\"\(escaped($0.0, quoteUnicodeControls: true))\":\"\(escaped($0.1, quoteUnicodeControls: true))\""
            }
            .joined(separator: ",") + "}\n"
    }

    /// Escapes `\`, `"` and control characters (as `\n`, `\t`, or `\u00XX`).
    static func escaped(_ text: String, quoteUnicodeControls: Bool) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
