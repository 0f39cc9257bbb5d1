/// `--log.format`.
public enum LogFormatChoice: String, Sendable, CaseIterable {
    case logfmt, json
}
