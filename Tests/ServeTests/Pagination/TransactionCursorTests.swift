import Foundation
import Serve
import Testing

@Suite struct TransactionCursorTests {
    @Test(arguments: ["2024-03-31", "-infinity", "0001-01-01"])
    func aCursorReadsBackAsItWasMade(day: String) throws {
        let id = UUID()
        let text = TransactionCursor(day: day, id: id).encoded
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe without escaping")
        let back = try #require(TransactionCursor(encoded: text))
        #expect(back.day == day && back.id == id)
    }

    @Test(arguments: ["", "abc", "dDE6MjAyNC0wMi0zMHx4", String(repeating: "A", count: 300), "t1:2024-01-01|\(UUID())", "%%%"])
    func anythingElseIsRefused(text: String) {
        #expect(TransactionCursor(encoded: text) == nil)
    }

    @Test func calendarDaysMustExist() {
        #expect(CalendarDate.parse("2024-02-29") == "2024-02-29")
        #expect(CalendarDate.parse("2023-02-29") == nil)
        #expect(CalendarDate.parse("2024-13-01") == nil)
        #expect(CalendarDate.parse("0000-01-01") == nil)
        #expect(CalendarDate.parse("2024-1-01") == nil)
        #expect(CalendarDate.parse("２０２４-01-01") == nil)
    }
}
