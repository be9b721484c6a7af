import Foundation
import Projections
import Testing

/// Row ids are part of every table's contract (a rebuild must reproduce them), so they are
/// pinned to independently computed RFC 9562 version-5 UUIDs (Python's `uuid.uuid5` over
/// finsync's namespace and the parts joined by U+001F).
@Suite struct DeterministicIDTests {
    @Test func matchesIndependentUUIDv5() {
        #expect(DeterministicID.string("gocardless", "transaction", "acc1", "tid:T-1") == "03601323-3ae0-5a07-9341-865f7cdb320c")
        #expect(DeterministicID.string("vanguard", "export-row", "café") == "b8a5565d-972c-5b64-84f5-a772805f091a")
    }

    @Test func textAndUUIDFormsAgree() {
        let parts = ["trading212", "account", "isa"]
        #expect(DeterministicID.make(parts: parts).uuidString.lowercased() == DeterministicID.string("trading212", "account", "isa"))
        #expect(DeterministicID.make(parts: parts) != DeterministicID.make(parts: ["trading212", "accountisa"]))
    }
}
