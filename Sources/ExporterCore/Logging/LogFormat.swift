import Foundation
import Logging

/// The two log formats of `--log.format`, as Prometheus' own tools write them.
public enum LogFormat: String, Sendable, CaseIterable {
    case logfmt, json

    /// A handler writing this format to `sink` (standard error in production).
    public func handler(label: String, level: Logger.Level, sink: LogSink = .standardError) -> any LogHandler {
        switch self {
        case .logfmt: return StructuredLogHandler(style: .logfmt, level: level, sink: sink)
        case .json: return StructuredLogHandler(style: .json, level: level, sink: sink)
        }
    }
}

/// Where log lines go: one whole line per call, so concurrent lines never interleave.
public struct LogSink: Sendable {
    public let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public static let standardError = LogSink { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
