import ExporterCore
import Foundation

/// What `sigma_exporter check` found: per organisation, the credential's verdict, the coverage
/// numbers the collectors computed (the same as `/metrics` would serve), what is out of reach
/// grouped by what fixes it, and the exit status a pipeline acts on.
///
/// Encoded as is for `--output=json`; `docs/check-report.schema.json` documents the shape, and a
/// test holds the encoding to it.
public struct CheckReport: Codable, Sendable, Equatable {
    public var version: String
    /// When the check ran, RFC 3339 in UTC.
    public var generatedAt: String
    public var minCoverage: Double
    public var exitCode: Int32
    /// One line saying why the exit status is what it is.
    public var summary: String
    public var organizations: [Organization]

    public struct Organization: Codable, Sendable, Equatable {
        public var name: String
        /// `pass`, `coverage_below`, `rejected` or `inconclusive`.
        public var verdict: Verdict
        public var credential: Credential
        public var inventory: Inventory
        public var documents: [Coverage]
        public var connections: Coverage?
        public var tables: Coverage?
        /// Collectors that could not complete, and why (Sigma unreachable, answering badly…).
        public var failures: [Failure]
        /// What is out of reach, one group per fix, largest first, cut at `--limit` groups.
        public var fixes: [Fix]
        /// All groups and all assets in them, before the cut.
        public var fixGroupsTotal: Int
        public var assetsOutOfReach: Int
        /// Documents and tables whose sources could not be read (their connections are not known).
        public var unreadable: Int
    }

    public enum Verdict: String, Codable, Sendable, Equatable, Comparable {
        case pass
        case coverageBelow = "coverage_below"
        case inconclusive
        case rejected

        /// Exit status, and which verdict wins across organisations: a rejection (3), then a
        /// check that could not conclude (4), then coverage below the minimum (1).
        public var exitCode: Int32 {
            switch self {
            case .pass: 0
            case .coverageBelow: 1
            case .rejected: 3
            case .inconclusive: 4
            }
        }

        var rank: Int { [Self.pass, .coverageBelow, .inconclusive, .rejected].firstIndex(of: self)! }

        public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
    }

    public struct Credential: Codable, Sendable, Equatable {
        /// `accepted`, `rejected` or `unknown` (the check did not complete).
        public var verdict: String
        /// The failure reason when not accepted (`rejected`, `timeout`, `blocked`…).
        public var reason: String?
        public var owner: String?
        public var accountType: String?
        public var clientIdSuffix: String?
        /// RFC 3339, UTC.
        public var tokenExpiresAt: String?
        public var rotateBefore: String?
    }

    public struct Inventory: Codable, Sendable, Equatable {
        /// Whether the totals come from an org-wide inventory that proved complete.
        public var complete: Bool
        public var note: String
    }

    public struct Coverage: Codable, Sendable, Equatable {
        /// `workbook`, `dataset`, `data_model`, `connection` or `table`.
        public var kind: String
        /// Viewable documents, or usable connections or tables.
        public var reachable: Int
        /// All of them; nil without a complete inventory (the denominator is unknown).
        public var total: Int?
        public var ratio: Double?
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var collector: String
        public var reason: String
        public var message: String
    }

    /// One thing to do, and the assets it brings within reach.
    public struct Fix: Codable, Sendable, Equatable {
        /// `share_folder` (two or more documents in one folder or workspace), `share_document` (a
        /// lone one) or `grant_connection`.
        public var action: String
        /// The folder's path, the document's name, or the connection's name (its id when unnamed).
        public var target: String
        public var connectionId: String?
        public var connectionType: String?
        /// How many assets the fix covers (documents to share, or documents reading the connection).
        public var total: Int
        public var assets: [Asset]
    }

    public struct Asset: Codable, Sendable, Equatable {
        public var kind: String
        public var id: String
        public var name: String
        public var path: String?
        public var owner: String?
        public var url: String?
    }
}
