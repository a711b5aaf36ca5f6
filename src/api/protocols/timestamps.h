#pragma once
// Timestamps on the wire: JSON and CBOR carry epoch seconds; query and XML carry ISO 8601.
#include <optional>
#include <string>
#include <string_view>

namespace berth::api::protocols {

// "2026-11-29T23:40:00Z", with ".123Z" when the time has milliseconds (as AWS writes them).
std::string iso8601(double epoch_seconds);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]" (a date alone means midnight UTC) into
// epoch seconds; nullopt when the text is not that.
std::optional<double> parse_iso8601(std::string_view text);
// "Sun, 29 Nov 2026 23:40:00 GMT" (RFC 822, for shapes that ask for it).
std::string rfc822(double epoch_seconds);

}  // namespace berth::api::protocols
