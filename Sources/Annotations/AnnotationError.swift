/// Why a user edit was refused. Nothing is appended when one is thrown.
public struct AnnotationError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// Bad input: `field` names what to correct (HTTP 400).
        case invalid
        /// The transaction, category or rule named by `field` does not exist (HTTP 404).
        case notFound
        /// The stream is not at the version the caller read (`If-Match`; HTTP 412).
        case staleVersion
    }

    public let code: Code
    /// The input at fault, e.g. `tag`, `description_regex`, `transaction`.
    public let field: String?
    public let message: String
    /// The stream's current version (``Code/staleVersion``).
    public let currentVersion: Int64?

    public init(code: Code, field: String?, message: String, currentVersion: Int64? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.currentVersion = currentVersion
    }

    static func invalid(_ field: String, _ message: String) -> AnnotationError { AnnotationError(code: .invalid, field: field, message: message) }
    static func notFound(_ field: String, _ message: String) -> AnnotationError { AnnotationError(code: .notFound, field: field, message: message) }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
