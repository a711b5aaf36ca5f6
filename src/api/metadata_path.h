#pragma once
// What a path on the task-facing listener asks for, read from the bytes alone (no database), so
// it can be fuzzed and so a malformed token never reaches SQL.
#include <string>
#include <string_view>

namespace berth::api {

struct MetadataPath {
  enum class Kind {
    Container,       // /v4/TOKEN and /v3/TOKEN: the caller's own container
    Task,            // /v4/TOKEN/task
    ContainerStats,  // /v4/TOKEN/stats
    TaskStats,       // /v4/TOKEN/task/stats
    Credentials,     // /v2/credentials/ID
    NotFound,        // a metadata or credentials path that names nothing berth serves
    Other,           // not a metadata path: the AWS APIs, or berth's refusal of /_berth/
  };
  Kind kind = Kind::Other;
  std::string token;  // the container token or the credentials id
};

// A container token or credentials id as berth mints them (a UUID; up to 64 of [A-Za-z0-9-]).
// Everything else, `%` and `_` included, names nothing.
bool valid_metadata_token(std::string_view token);

// `path` without the query string. Only GET and HEAD reach metadata; other methods are Other.
MetadataPath parse_metadata_path(std::string_view method, std::string_view path);

}  // namespace berth::api
