@testable import FinsyncTestSupport
import Testing

@Suite struct TestDatabaseURLTests {
    @Test func replacesOrAddsTheDatabase() {
        #expect(TestDatabase.url("postgresql://finsync@127.0.0.1:54329/finsync", forDatabase: "t1") == "postgresql://finsync@127.0.0.1:54329/t1")
        #expect(TestDatabase.url("postgresql://finsync@127.0.0.1:54329/finsync?sslmode=disable", forDatabase: "t1") == "postgresql://finsync@127.0.0.1:54329/t1")
        #expect(TestDatabase.url("postgresql://127.0.0.1:54329", forDatabase: "t1") == "postgresql://127.0.0.1:54329/t1")
        #expect(TestDatabase.url("postgresql://127.0.0.1:54329/", forDatabase: "t1") == "postgresql://127.0.0.1:54329/t1")
    }
}
