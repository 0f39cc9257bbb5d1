/// A member of the organisation as the reports show them: an owner of something out of reach, or
/// the member a fix grants to.
///
/// Why not the bare id: a person acting on `/inaccessible` needs to know whom to ask and whom to
/// share with. The name and email come from the member record, read with the inventory
/// credential; when it cannot be read, the id stays and `note` says why.
public struct Person: Sendable, Equatable, Codable, Hashable {
    public var id: String
    public var name: String?
    public var email: String?
    /// Why the name and email are missing, when they are.
    public var note: String?

    public init(id: String, name: String? = nil, email: String? = nil, note: String? = nil) {
        self.id = id
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.email = email.flatMap { $0.isEmpty ? nil : $0 }
        self.note = note
    }

    /// "Name <email>", as far as known; the id when neither is.
    public var displayName: String {
        switch (name, email) {
        case (.some(let name), .some(let email)): "\(name) <\(email)>"
        case (.some(let name), nil): name
        case (nil, .some(let email)): email
        case (nil, nil): id
        }
    }
}
