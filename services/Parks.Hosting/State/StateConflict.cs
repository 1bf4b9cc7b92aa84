using Parks.Domain;

namespace Parks.Hosting.State;

internal static class StateConflict
{
    public static ConcurrencyException Exception(string key, long expected, long actual) =>
        new(key, expected == 0
            ? $"'{key}' already exists (version {actual}); expected it to be absent"
            : actual == 0
                ? $"'{key}' does not exist; expected version {expected}"
                : $"'{key}' is at version {actual}; expected version {expected}");
}
