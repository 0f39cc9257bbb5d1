/// Parses `YYYY-MM-DD` (midnight UTC) and `YYYY-MM-DDTHH:MM:SSZ` into seconds since the epoch.
///
/// Why not Foundation's formatters: they depend on locale data and accept lenient input; the
/// deadline is a contract value and must be exactly what the operator wrote.
public enum CalendarDate {
    public static func epochSeconds(_ text: String) -> Double? {
        let scalars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard scalars.count == 10 || scalars.count == 20, scalars[4] == 45, scalars[7] == 45,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), year >= 1970
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...monthDays[month - 1]).contains(day) else { return nil }
        var seconds = 0
        if scalars.count == 20 {
            guard scalars[10] == 84, scalars[13] == 58, scalars[16] == 58, scalars[19] == 90,
                let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                hour < 24, minute < 60, second < 60
            else { return nil }
            seconds = hour * 3600 + minute * 60 + second
        }
        return Double(daysSinceEpoch(year: year, month: month, day: day) * 86_400 + seconds)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (month 1–12), by the inverse of
    /// civil-from-days (Howard Hinnant's algorithm); negative before the epoch. The one
    /// implementation for the configuration's dates and HTTP's `Retry-After` dates.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension StringProtocol {
    /// The text without the leading and trailing characters `isTrimmed` selects; the one trim
    /// helper (Foundation's needs a `CharacterSet`, and these modules parse without locales).
    public func trimmed(where isTrimmed: (Character) -> Bool) -> String {
        var slice = self[...]
        while let first = slice.first, isTrimmed(first) { slice.removeFirst() }
        while let last = slice.last, isTrimmed(last) { slice.removeLast() }
        return String(slice)
    }
}
