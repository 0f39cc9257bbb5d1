import ExporterBasics
import Foundation

/// Where configuration reads the outside world from: environment variables and secret files.
///
/// Why injectable: tests run every config error without touching the process environment.
public struct ConfigEnvironment: Sendable {
    public var variables: [String: String]
    public var readFile: @Sendable (String) throws -> String

    public init(variables: [String: String], readFile: @escaping @Sendable (String) throws -> String) {
        self.variables = variables
        self.readFile = readFile
    }

    /// The process environment and the real file system.
    public static var process: ConfigEnvironment {
        ConfigEnvironment(variables: ProcessInfo.processInfo.environment, readFile: Self.readFromDisk)
    }

    /// Reads a whole file as UTF-8, with a reason a person can act on when it cannot be read.
    @Sendable public static func readFromDisk(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw FileProblem("no such file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw FileProblem("permission denied") }
        guard let data = FileManager.default.contents(atPath: path) else { throw FileProblem("cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw FileProblem("not UTF-8 text") }
        return text
    }

    /// Why a file could not be read; never carries the file's content.
    public struct FileProblem: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads a secret file as people write them: trailing whitespace (`secret\n\n`, `secret \n`,
    /// `secret\r\n`) is not part of the value; leading and inner whitespace is kept.
    func readSecret(path: String, source: String, field: String?) throws(ConfigError) -> Secret {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigError(source: source, field: field, problem: "\(path): \(error)")
        }
        // Unicode scalars, not Characters: "\r\n" is a single Character in Swift.
        var value = Substring(text).unicodeScalars
        while let last = value.last, last.properties.isWhitespace { value.removeLast() }
        guard !value.isEmpty else {
            throw ConfigError(source: source, field: field, problem: "\(path): the secret file is empty")
        }
        return Secret(String(value))
    }
}
