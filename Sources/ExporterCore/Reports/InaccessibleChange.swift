import Foundation

/// An asset that went out of the monitored credential's reach, or came back within it, as one
/// poll found against the one before: what `/inaccessible/changes` lists and
/// `sigma_inaccessible_changes_total` counts.
public struct InaccessibleChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case becameInaccessible = "became_inaccessible"
        case becameAccessible = "became_accessible"
    }

    /// Seconds since the epoch: the poll that saw it.
    public var time: Double
    public var org: String
    /// A document kind or `connection`.
    public var kind: String
    public var id: String
    public var name: String
    public var change: Kind

    public init(time: Double, org: String, kind: String, id: String, name: String, change: Kind) {
        self.time = time
        self.org = org
        self.kind = kind
        self.id = id
        self.name = name
        self.change = change
    }

    enum CodingKeys: String, CodingKey { case time, org, kind, id, name, change }

    /// `time` as RFC 3339 in UTC (the JSON's form).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.rfc3339(time), forKey: .time)
        try container.encode(org, forKey: .org)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(change, forKey: .change)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .time)
        guard let time = Self.parseRFC3339(text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: container, debugDescription: "not RFC 3339")
        }
        self.time = time
        org = try container.decode(String.self, forKey: .org)
        kind = try container.decode(String.self, forKey: .kind)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        change = try container.decode(Kind.self, forKey: .change)
    }

    /// Seconds since the epoch as RFC 3339 in UTC, to the second (`2026-12-07T15:00:00Z`).
    public static func rfc3339(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }

    /// An RFC 3339 time, with or without fractional seconds; nil when it is not one.
    public static func parseRFC3339(_ text: String) -> Double? {
        if let date = try? Date(text, strategy: .iso8601) { return date.timeIntervalSince1970 }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? fractional.parse(text))?.timeIntervalSince1970
    }
}
