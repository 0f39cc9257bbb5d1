import ExporterCore
import SigmaClient

/// Why one document's sources or one table's connection could not be read: the `reason` of
/// `sigma_documents_unresolved` and `sigma_tables_unresolved`.
///
/// Why a type of its own: the real Sigma fails single documents (a 500 or 400 on some element
/// types, a 403 to an Admin outside a workspace) while the rest of the organisation reads fine.
/// Such a failure is counted and skipped, never a failed pass and never "reads nothing".
enum UnresolvedReason: UInt8, CaseIterable, Sendable {
    /// Sigma's own 403: the reader may not read it (an Admin outside its workspace, say).
    case forbidden = 1
    /// Sigma's own 404 for a document its listing names, or for a table a document reads: hidden
    /// from the reader (some deployments answer 404 rather than 403), or gone meanwhile.
    case notFound
    case serverError
    case badResponse
    case blocked
    case timeout
    case unreachable

    /// Sigma's own answer about this one item (it is hidden from the reader, or gone), not a
    /// failure to answer: never counted towards an outage, and asked again only a few passes on.
    var isSigmasAnswer: Bool { self == .forbidden || self == .notFound }

    var label: String {
        switch self {
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .serverError: return FailureReason.serverError.rawValue
        case .badResponse: return FailureReason.badResponse.rawValue
        case .blocked: return FailureReason.blocked.rawValue
        case .timeout: return FailureReason.timeout.rawValue
        case .unreachable: return FailureReason.unreachable.rawValue
        }
    }

    /// The reason for a failure that concerns one document or table; nil for one that concerns the
    /// whole pass (a refused credential, a 401 re-authentication could not cure, a rate limit
    /// the client could not get past), which must fail it.
    init?(_ error: SigmaError) {
        switch error.reason {
        case .rejected, .rateLimited, .unauthorized: return nil
        case _ where error.status == 401: return nil
        case _ where error.status == 403 && error.kind == .status(403): self = .forbidden
        case _ where error.status == 404 && error.kind == .status(404): self = .notFound
        case .serverError: self = .serverError
        case .badResponse: self = .badResponse
        case .blocked: self = .blocked
        case .timeout: self = .timeout
        case .unreachable: self = .unreachable
        }
    }
}
