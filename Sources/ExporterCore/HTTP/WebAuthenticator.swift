import Crypto
import ExporterConfig
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Checks HTTP basic auth against the `basic_auth_users` of the web configuration file, re-reading
/// the file whenever it changes.
///
/// bcrypt is slow on purpose, so a verification runs off the event loop, and a user's successful
/// password is remembered only as a SHA-256 digest until the file changes. An unknown user costs
/// a bcrypt verification too, so timing does not tell which users exist. An unreadable or invalid
/// file denies every request until it is fixed.
public final class WebAuthenticator: Sendable {
    struct State {
        var modified: Date?
        var configuration: WebConfiguration?
        var verified: [String: SHA256.Digest] = [:]
    }

    let path: String
    let state: Mutex<State>
    /// A hash of a random password: what an unknown user is verified against.
    static let decoy = Bcrypt.hash(UUID().uuidString, cost: 10)

    public init(path: String, initial: WebConfiguration) {
        self.path = path
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        state = Mutex(State(modified: modified, configuration: initial))
    }

    /// The configuration as it is now on disk (nil when the file became unreadable or invalid).
    public func current() -> WebConfiguration? {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return state.withLock { state in
            if modified != state.modified {
                state.modified = modified
                state.configuration = try? WebConfigLoader(path: path).load()
                state.verified.removeAll()
            }
            return state.configuration
        }
    }

    public enum Verdict: Sendable, Equatable {
        case allowed, denied, misconfigured
    }

    /// Whether `authorization` (the request's header) lets the request through.
    public func check(authorization: String?) async -> Verdict {
        guard let configuration = current() else { return .misconfigured }
        if configuration.basicAuthUsers.isEmpty { return .allowed }
        guard let authorization, authorization.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        else { return .denied }
        let user = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        let digest = SHA256.hash(data: Data("\(user):\(password)".utf8))
        let hash = configuration.basicAuthUsers[user]
        if hash != nil, state.withLock({ $0.verified[user] }) == digest { return .allowed }
        let matches =
            (try? await NIOThreadPool.singleton.runIfActive {
                Bcrypt.verify(password, hash: hash ?? Self.decoy)
            }) ?? false
        guard matches, hash != nil else { return .denied }
        state.withLock { $0.verified[user] = digest }
        return .allowed
    }
}
