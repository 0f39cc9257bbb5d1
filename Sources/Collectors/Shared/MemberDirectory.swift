import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaModels
import Synchronization

/// The organisation's members as the reports name them, read with the inventory credential
/// (`GET /v2/members/{id}`) and cached: an owner is read once, not once per poll or per document.
///
/// Why the inventory credential: it is the one that can read any member; the monitored one reads
/// at most its own owner. Without it, owners stay ids and the report says why. A record Sigma hides
/// or no longer has is remembered as such (with the reason); a failed read is not, and is asked
/// again at the next poll.
final class MemberDirectory: Sendable {
    let known = Mutex<[String: Person]>([:])
    /// Members being read now: the three document kinds poll together and share owners.
    let reading = Mutex<Set<String>>([])

    /// The most unknown members read in one poll, so a first poll of a large organisation spends
    /// a bounded number of requests on names; the rest come at the next polls.
    static let lookupsPerPoll = 200

    /// Why owners are ids only without an inventory credential.
    static let noReaderNote = "no inventory credential: member records are not read (configure inventory:)"

    /// How long a stored record is used after a restart before it is read again (names and
    /// emails change, rarely).
    static let storedRecordLifetime = 86_400.0

    /// Whether the records kept across restarts were read back (once).
    let restored = Mutex(false)

    /// The people among `ids` as far as known, reading the unknown ones with `reader` (those
    /// another poll is reading now come at the next poll). With `storage`, the records read before
    /// a restart are known from the first poll, and each poll's new ones are kept.
    func people(
        _ ids: Set<String>, reader: SigmaClient?, logger: Logger, org: String, storage: (any StateStorage)? = nil
    ) async -> [String: Person] {
        let wanted = ids.filter { !$0.isEmpty }
        guard let reader else { return [:] }
        if let storage {
            // Under the flag's lock, so the other kinds' polls wait for the stored records rather
            // than read those members again.
            restored.withLock { restored in
                guard !restored else { return }
                restored = true
                let stored = storage.loadMembers(
                    organization: org, readSince: Date().timeIntervalSince1970 - Self.storedRecordLifetime)
                known.withLock { known in
                    for person in stored where known[person.id] == nil { known[person.id] = person }
                }
            }
        }
        let unknown = known.withLock { known in wanted.filter { known[$0] == nil } }.sorted().prefix(
            Self.lookupsPerPoll)
        let read = await withTaskGroup(of: Person?.self) { group in
            for id in unknown {
                group.addTask { await Self.read(id, reader: reader, logger: logger, org: org) }
            }
            var read: [Person] = []
            for await person in group { if let person { read.append(person) } }
            return read
        }
        // Only records read whole are kept: why one could not be read may change with the
        // credential, and is asked again after a restart.
        storage?.saveMembers(read.filter { $0.note == nil }, organization: org, at: Date().timeIntervalSince1970)
        return known.withLock { known in
            for person in read { known[person.id] = person }
            return known.filter { wanted.contains($0.key) }
        }
    }

    /// One member's record as a person; a hidden or missing record as the id and why; nil when
    /// the read failed (asked again later).
    static func read(_ id: String, reader: SigmaClient, logger: Logger, org: String) async -> Person? {
        let endpoint = Endpoint.member(id)
        do {
            return Person(member: try await reader.get(Member.self, endpoint))
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) {
            return Person(
                id: id,
                note: error.status == 404
                    ? "no member record (deactivated or deleted)" : "member record hidden from the inventory credential"
            )
        } catch {
            logger.debug("A member record could not be read", metadata: ["org": "\(org)", "err": "\(error)"])
            return nil
        }
    }
}

extension Person {
    /// A member record as the reports name them.
    init(member: Member) {
        let name = [member.firstName, member.lastName].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: " ")
        self.init(id: member.memberId, name: name, email: member.email)
    }
}
