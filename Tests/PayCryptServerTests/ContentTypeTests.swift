import Testing

@testable import PayCryptServer

@Suite("Content types")
struct ContentTypeTests {
    @Test("a content type is JSON exactly when, lowercased, it contains 'json' (random strings)")
    func mentionsJSON() {
        #expect(PaymentCryptographyResponder.mentionsJSON("application/x-amz-json-1.0"))
        #expect(PaymentCryptographyResponder.mentionsJSON("APPLICATION/JSON"))
        #expect(PaymentCryptographyResponder.mentionsJSON("jjson"))
        #expect(!PaymentCryptographyResponder.mentionsJSON("text/plain"))
        #expect(!PaymentCryptographyResponder.mentionsJSON("jso"))
        #expect(!PaymentCryptographyResponder.mentionsJSON("*son"))
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("jJsSoOnN*/-xé ")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...9, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "j" })
            #expect(PaymentCryptographyResponder.mentionsJSON(text) == text.lowercased().contains("json"), "\(text)")
        }
    }
}
