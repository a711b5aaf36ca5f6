#include "api/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/crypto.h"

namespace berth::api::sigv4 {
namespace {
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::int64_t kSkewMillis = 15 * 60 * 1000;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// RFC 3986 encoding: everything but unreserved characters (and '/' when `keep_slash`).
std::string percent_encode(std::string_view s, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view target) {
  std::vector<std::pair<std::string, std::string>> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string k = percent_decode(pair.substr(0, eq));
      std::string v = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
      out.emplace_back(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

std::optional<std::string> header(const Request& r, std::string_view lname) {
  for (const auto& [k, v] : r.headers)
    if (lower(k) == lname) return v;
  return std::nullopt;
}

// "AKID/20150830/us-east-1/service/aws4_request"
bool parse_credential(std::string_view cred, Signature& s) {
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    auto slash = cred.find('/');
    if ((slash == std::string_view::npos) != (i == 4)) return false;
    parts[i] = cred.substr(0, slash);
    if (slash != std::string_view::npos) cred.remove_prefix(slash + 1);
  }
  if (parts[4] != "aws4_request" || parts[0].empty() || parts[1].size() != 8) return false;
  s.access_key = parts[0];
  s.date = parts[1];
  s.region = parts[2];
  s.service = parts[3];
  return true;
}

std::vector<std::string> split_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto semi = list.find(';');
    out.push_back(lower(list.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    list.remove_prefix(semi + 1);
  }
  return out;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return hex_value(c) >= 0; });
}

std::string signing_key(std::string_view secret, const Signature& s) {
  std::string k = crypto::hmac_sha256("AWS4" + std::string(secret), s.date);
  k = crypto::hmac_sha256(k, s.region);
  k = crypto::hmac_sha256(k, s.service);
  return crypto::hmac_sha256(k, "aws4_request");
}
}  // namespace

std::optional<std::int64_t> parse_amz_date(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return std::nullopt;
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return std::nullopt;
  auto num = [&](int at, int len) { return std::stoi(std::string(d.substr(at, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string format_amz_date(std::int64_t millis) {
  std::time_t secs = millis / 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::optional<Signature> parse(const Request& r, bool* malformed) {
  if (malformed) *malformed = false;
  auto bad = [&]() -> std::optional<Signature> {
    if (malformed) *malformed = true;
    return std::nullopt;
  };
  Signature s;
  if (auto auth = header(r, "authorization")) {
    std::string_view a = trim(*auth);
    if (!a.starts_with(kAlgorithm)) return bad();
    a.remove_prefix(kAlgorithm.size());
    bool have_cred = false, have_headers = false, have_sig = false;
    while (!a.empty()) {
      auto comma = a.find(',');
      std::string_view part = trim(a.substr(0, comma));
      auto eq = part.find('=');
      if (eq != std::string_view::npos) {
        std::string_view k = part.substr(0, eq), v = part.substr(eq + 1);
        if (k == "Credential") have_cred = parse_credential(v, s);
        else if (k == "SignedHeaders") s.signed_headers = split_signed_headers(v), have_headers = true;
        else if (k == "Signature") s.signature = std::string(v), have_sig = true;
      }
      if (comma == std::string_view::npos) break;
      a.remove_prefix(comma + 1);
    }
    if (!have_cred || !have_headers || !have_sig || !is_hex64(s.signature)) return bad();
    auto date = header(r, "x-amz-date");
    if (!date) return bad();
    s.amz_date = std::string(trim(*date));
    if (!parse_amz_date(s.amz_date)) return bad();
    return s;
  }
  auto params = query_pairs(r.target);
  auto find = [&](std::string_view k) -> const std::string* {
    for (const auto& [pk, pv] : params)
      if (pk == k) return &pv;
    return nullptr;
  };
  const std::string* algorithm = find("X-Amz-Algorithm");
  if (!algorithm) return std::nullopt;
  const std::string* cred = find("X-Amz-Credential");
  const std::string* date = find("X-Amz-Date");
  const std::string* headers = find("X-Amz-SignedHeaders");
  const std::string* sig = find("X-Amz-Signature");
  const std::string* expires = find("X-Amz-Expires");
  if (*algorithm != kAlgorithm || !cred || !date || !headers || !sig || !parse_credential(*cred, s) ||
      !is_hex64(*sig) || !parse_amz_date(*date))
    return bad();
  s.presigned = true;
  s.signed_headers = split_signed_headers(*headers);
  s.signature = *sig;
  s.amz_date = *date;
  s.expires_seconds = 3600;
  if (expires) {
    if (expires->empty() || expires->size() > 6 ||
        !std::all_of(expires->begin(), expires->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return bad();
    s.expires_seconds = std::stoll(*expires);
  }
  return s;
}

std::string canonical_request(const Request& r, const Signature& s) {
  std::string out;
  out += r.method;
  out += '\n';
  std::string_view path = r.target.substr(0, r.target.find('?'));
  // The path as the client sent it, encoded once more: botocore's rule for every service but S3.
  out += percent_encode(path.empty() ? "/" : path, true);
  out += '\n';
  auto params = query_pairs(r.target);
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [k, v] : params) {
    if (s.presigned && k == "X-Amz-Signature") continue;
    encoded.emplace_back(percent_encode(k, false), percent_encode(v, false));
  }
  std::sort(encoded.begin(), encoded.end());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (i) out += '&';
    out += encoded[i].first + "=" + encoded[i].second;
  }
  out += '\n';
  std::vector<std::string> names = s.signed_headers;
  for (const auto& name : names) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [k, v] : r.headers) {
      if (lower(k) != name) continue;
      if (!first) out += ',';
      first = false;
      // Trimmed, with runs of spaces inside collapsed to one.
      std::string_view t = trim(v);
      bool space = false;
      for (char c : t) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ';';
    out += names[i];
  }
  out += '\n';
  if (auto h = header(r, "x-amz-content-sha256"))
    out += trim(*h);  // a hash, or UNSIGNED-PAYLOAD
  else
    out += crypto::sha256_hex(r.body);
  return out;
}

std::string expected_signature(const Request& r, const Signature& s, std::string_view secret) {
  std::string to_sign = std::string(kAlgorithm) + "\n" + s.amz_date + "\n" + s.date + "/" + s.region + "/" +
                        s.service + "/aws4_request\n" + crypto::sha256_hex(canonical_request(r, s));
  return crypto::hex(crypto::hmac_sha256(signing_key(secret, s), to_sign));
}

Check verify(const Request& r, const Signature& s, std::string_view secret, std::int64_t now_millis) {
  std::int64_t signed_at = parse_amz_date(s.amz_date).value_or(0);
  if (s.presigned) {
    if (now_millis > signed_at + s.expires_seconds * 1000) return Check::Expired;
    if (signed_at > now_millis + kSkewMillis) return Check::NotYetValid;
  } else {
    if (signed_at < now_millis - kSkewMillis) return Check::Expired;
    if (signed_at > now_millis + kSkewMillis) return Check::NotYetValid;
  }
  std::string want = expected_signature(r, s, secret);
  std::string got = lower(s.signature);
  return crypto::equal_constant_time(want, got) ? Check::Ok : Check::Mismatch;
}

AwsError error_for(Check c, bool query, const Signature* s, std::int64_t now_millis) {
  int status = query ? 403 : 400;
  switch (c) {
    case Check::Missing:
      return query ? AwsError::client("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
                   : AwsError::client("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
    case Check::Malformed:
      return AwsError::client(query ? "IncompleteSignature" : "IncompleteSignatureException",
                              "The request signature does not conform to AWS standards.", status);
    case Check::Expired:
      if (s && s->presigned)
        return AwsError::client(query ? "ExpiredToken" : "ExpiredTokenException",
                                "The security token included in the request is expired", status);
      return AwsError::client(query ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                              "Signature expired: " + (s ? s->amz_date : std::string()) + " is now earlier than " +
                                  format_amz_date(now_millis - kSkewMillis) + " (" + format_amz_date(now_millis) +
                                  " - 15 min.)",
                              status);
    case Check::NotYetValid:
      return AwsError::client(query ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                              "Signature not yet current: " + (s ? s->amz_date : std::string()) +
                                  " is still later than " + format_amz_date(now_millis + kSkewMillis) + " (" +
                                  format_amz_date(now_millis) + " + 15 min.)",
                              status);
    case Check::Mismatch:
    case Check::Ok:
      break;
  }
  return AwsError::client(query ? "SignatureDoesNotMatch" : "InvalidSignatureException",
                          "The request signature we calculated does not match the signature you provided. Check "
                          "your AWS Secret Access Key and signing method. Consult the service documentation for "
                          "details.",
                          status);
}

AwsError unknown_key(bool query) {
  return query ? AwsError::client("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
               : AwsError::client("UnrecognizedClientException",
                                  "The security token included in the request is invalid.", 400);
}

}  // namespace berth::api::sigv4
