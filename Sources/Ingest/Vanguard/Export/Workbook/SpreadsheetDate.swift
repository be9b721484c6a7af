import Postgres

/// Excel's serial day numbers as calendar days.
///
/// In the 1900 date system (the default) day 1 is 1900-01-01 and Excel counts a
/// 29 February 1900 that never was (day 60), so from day 61 on the days are counted from
/// 1899-12-30. In the 1904 system (`<workbookPr date1904="1"/>`) day 0 is 1904-01-01.
enum SpreadsheetDate {
    /// `dd/mm/yyyy` for the whole day of `serial` (a time of day is dropped), as the export's
    /// CSV writes dates. Day 60 of the 1900 system gives `29/02/1900`, which the row
    /// validator refuses as a day that does not exist; so do days before the epoch.
    static func text(serial: Double, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 3_000_000 else { return nil }
        let day = Int(serial.rounded(.down))
        let ymd: (Int, Int, Int)
        if date1904 {
            ymd = PostgresTimestamp.civil(fromDays: day + PostgresTimestamp.days(year: 1904, month: 1, day: 1))
        } else if day == 60 {
            ymd = (1900, 2, 29)
        } else if day == 0 {
            ymd = (1900, 1, 0)
        } else {
            ymd = PostgresTimestamp.civil(fromDays: (day < 60 ? day + 1 : day) + PostgresTimestamp.days(year: 1899, month: 12, day: 30))
        }
        let (y, m, d) = ymd
        return "\(d < 10 ? "0" : "")\(d)/\(m < 10 ? "0" : "")\(m)/\(String(repeating: "0", count: max(0, 4 - String(y).count)))\(y)"
    }
}
