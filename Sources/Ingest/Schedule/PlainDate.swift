import Postgres

/// Civil-date arithmetic on day numbers (days since 1970-01-01), free of time zones.
/// The conversions are `PostgresTimestamp`'s (one implementation in the package).
enum PlainDate {
    static func days(year: Int, month: Int, day: Int) -> Int { PostgresTimestamp.days(year: year, month: month, day: day) }

    static func civil(_ z: Int) -> (Int, Int, Int) { PostgresTimestamp.civil(fromDays: z) }

    /// 0 = Sunday.
    static func weekday(_ z: Int) -> Int { ((z % 7) + 11) % 7 }
}
