import Foundation
import Hummingbird
import NIOCore

/// Serves `/inaccessible/changes?since=<RFC 3339>&org=<name>`: what went out of reach or came
/// back, newest first, as `{"changes":[{time,org,kind,id,name,change}]}`. Without `since`, every
/// change the history keeps (`--storage.retention`); a `since` that is not RFC 3339 is a 400
/// naming the parameter, never an empty list that would read as "nothing changed".
struct ChangesResponder: Sendable {
    let history: any InaccessibleHistory

    struct Body: Encodable {
        var changes: [InaccessibleChange]
    }

    func respond(since: String?, org: String?) -> Response {
        var from = -Double.infinity
        if let since, !since.isEmpty {
            guard let parsed = InaccessibleChange.parseRFC3339(since) else {
                return Response(
                    status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: "since: not an RFC 3339 time (e.g. 2026-12-07T15:00:00Z): \(since)\n")))
            }
            from = parsed
        }
        let changes = history.changes(since: from, organization: org.flatMap { $0.isEmpty ? nil : $0 })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Body(changes: changes))) ?? Data("{\"changes\":[]}".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
