/// Random PINs for VisaPin and Ibm3624RandomPin: uniformly random decimal digits.
public enum RandomPin {
    /// A PIN of `length` digits drawn from `generator` (the system CSPRNG in the service).
    public static func make(length: Int, using generator: inout some RandomNumberGenerator) -> String {
        PinDigits.string((0..<length).map { _ in UInt8.random(in: 0...9, using: &generator) })
    }

    /// A PIN of `length` digits from the system CSPRNG (`SystemRandomNumberGenerator`).
    public static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(length: length, using: &generator)
    }
}
