import Postgres
import Projections

/// A projection for tests of the fold itself: it copies `n` of each `test.integer.observed`
/// event into an `integer` column without checking it in Swift, so PostgreSQL is what
/// refuses a value like `"abc"` — the last line of defence the runner must trace to its
/// event. Version 2 (`lenient`) stores such a value as NULL instead: a "fixed normaliser".
public struct IntegerProbeProjection: Projection {
    public static let eventType = "test.integer.observed"
    public let name = "integer_probe"
    public let liveSchema = "public"
    public let eventTypes: Set<String> = [Self.eventType]
    public let tables = ["integer_probe"]
    public let lenient: Bool
    public var version: Int { lenient ? 2 : 1 }

    public init(lenient: Bool = false) { self.lenient = lenient }

    public func createTables(in c: ProjectionContext) throws {
        _ = try c.session.execute("CREATE TABLE IF NOT EXISTS \(c.table("integer_probe")) (position bigint PRIMARY KEY, n integer)")
    }

    public func apply(_ events: [ProjectedEvent], in c: ProjectionContext) throws {
        var w = CopyTextWriter()
        for e in events {
            let n = e.json["n"]?.string
            w.row(String(e.position), lenient ? n.flatMap { Int32($0) }.map(String.init) : n)
        }
        try c.session.copyIn("COPY \(c.table("integer_probe")) (position, n) FROM STDIN", text: w)
    }
}
