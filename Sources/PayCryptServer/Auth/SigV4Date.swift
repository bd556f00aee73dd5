import Foundation

/// The request dates SigV4 uses: `X-Amz-Date` in ISO 8601 basic format (`20261129T120000Z`),
/// or an HTTP `Date` header (`Sun, 29 Nov 2026 12:00:00 GMT`; botocore writes `-0000` for the
/// zone). Parsed by hand, in UTC, independent of locale.
enum SigV4Date {
    /// Parses a request date.
    /// - Parameters:
    ///   - value: The header value.
    ///   - amzFormat: True for `X-Amz-Date`, which must be the basic format; false for `Date`,
    ///     which may be an RFC 1123/2822 date or the basic format.
    /// - Returns: The instant, or nil when the value is not a valid date of the accepted forms.
    static func parse(_ value: String, amzFormat: Bool) -> Date? {
        if let date = parseBasic(value) { return date }
        return amzFormat ? nil : parseHTTPDate(value)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the timestamp line of the string to sign.
    static func basic(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else {
            return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T"
                + pad(secondOfDay / 3600, 2) + pad(secondOfDay % 3600 / 60, 2) + pad(secondOfDay % 60, 2) + "Z"
        }
        // The common case, a four-digit year: 16 bytes written in place.
        return String(unsafeUninitializedCapacity: 16) { out in
            var i = 0
            func put(_ value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    out[i] = UInt8(ascii: "0") + UInt8(value / divisor % 10)
                    i += 1
                    divisor /= 10
                }
            }
            put(year, 4); put(month, 2); put(day, 2)
            out[i] = UInt8(ascii: "T"); i += 1
            put(secondOfDay / 3600, 2); put(secondOfDay % 3600 / 60, 2); put(secondOfDay % 60, 2)
            out[i] = UInt8(ascii: "Z"); i += 1
            return i
        }
    }

    /// ``basic(_:)``, or `value` itself when it is already that text (an `X-Amz-Date` as clients
    /// send it), which saves building the string again.
    static func basic(_ date: Date, reusing value: String) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        // A basic-format value that parses back to the same instant and has no leap second (which
        // `make` rolls into the next minute) is the canonical text.
        if value.utf8.count == 16, parseBasic(value).map({ Int($0.timeIntervalSince1970.rounded(.down)) }) == seconds,
           !value.utf8.dropFirst(13).starts(with: "60".utf8) {
            return value
        }
        return basic(date)
    }

    /// `20261129T120000Z`: exactly 16 characters.
    static func parseBasic(_ value: String) -> Date? {
        guard value.utf8.count == 16 else { return nil }
        var text = value
        return text.withUTF8 { parseBasic(bytes: $0) }
    }

    private static func parseBasic(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        let b = bytes[...]
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"),
              let year = number(b[0..<4]), let month = number(b[4..<6]), let day = number(b[6..<8]),
              let hour = number(b[9..<11]), let minute = number(b[11..<13]), let second = number(b[13..<15])
        else { return nil }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offsetSeconds: 0)
    }

    /// RFC 1123 / RFC 2822: `[Sun, ]29 Nov 2026 12:00:00 GMT|UT|UTC|Z|+hhmm|-hhmm`.
    static func parseHTTPDate(_ value: String) -> Date? {
        var text = Substring(value)
        if let comma = text.firstIndex(of: ",") { text = text[text.index(after: comma)...] }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5,
              let day = number(Array(fields[0].utf8)[...]), (1...2).contains(fields[0].count),
              let month = months.firstIndex(of: fields[1].lowercased()).map({ $0 + 1 }),
              fields[2].count == 4, let year = number(Array(fields[2].utf8)[...])
        else { return nil }
        let time = fields[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }),
              let hour = number(Array(time[0].utf8)[...]), let minute = number(Array(time[1].utf8)[...]),
              let second = number(Array(time[2].utf8)[...]),
              let offset = zoneOffset(String(fields[4]))
        else { return nil }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, offsetSeconds: offset)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func zoneOffset(_ zone: String) -> Int? {
        switch zone.uppercased() {
        case "GMT", "UT", "UTC", "Z": return 0
        default:
            let b = Array(zone.utf8)
            guard b.count == 5, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"),
                  let hours = number(b[1..<3]), let minutes = number(b[3..<5]), hours < 24, minutes < 60
            else { return nil }
            let sign = b[0] == UInt8(ascii: "-") ? -1 : 1
            return sign * (hours * 3600 + minutes * 60)
        }
    }

    /// Builds a UTC instant, rejecting out-of-range fields (including days past the month's end).
    private static func make(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, offsetSeconds: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        guard civil(fromDays: days) == (year, month, day) else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(d - UInt8(ascii: "0"))
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `daysFromCivil`: the proleptic Gregorian date of a day count since 1970-01-01
    /// (also the log handler's timestamp).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
