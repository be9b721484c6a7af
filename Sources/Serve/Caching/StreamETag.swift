import Synchronization

/// The ETag an answer names itself: an annotation stream's version, which the handler
/// knows only once it has appended (or read the stream). ``ETagMiddleware`` binds one per
/// request that has no ``ResourceState`` and puts what the handler set in the response's
/// `ETag` header — set there rather than through the generated response headers, which
/// percent-encode an ETag's quotes.
final class StreamETag: Sendable {
    @TaskLocal static var current: StreamETag?

    private let value = Mutex<String?>(nil)

    /// The tag of stream version `version` (quoted, as `If-Match` sends it back).
    static func tag(_ version: Int64) -> String { "\"\(version)\"" }

    /// Sets the answer's ETag to stream version `version` (no-op outside a request).
    static func set(_ version: Int64) { current?.value.withLock { $0 = tag(version) } }

    var tag: String? { value.withLock { $0 } }
}
