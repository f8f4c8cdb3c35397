namespace MigrationPortal.Application.Common;

/// <summary>
/// The longest text each input may hold. Where the text is stored, the limit is its column's length in the EF model
/// (Infrastructure/Persistence/Configurations.cs; a test compares the two), so a value that passes validation always
/// fits on every provider. Inputs stored in unbounded columns or not stored at all get a use-case limit, listed in
/// docs/operations.md ("Input limits").
/// </summary>
public static class TextLimits
{
    public const int Name = 256;
    public const int WindowName = 200;
    public const int ExternalId = 512;
    public const int Justification = 2000;
    public const int Comment = 2000;

    /// <summary>Use-case limit: a reason becomes a transition's reason (4,000), sometimes behind a short prefix ("Retry: ").</summary>
    public const int Reason = 2000;
    public const int Principal = 450;
    public const int UserId = 450;
    public const int Group = 256;
    public const int Environment = 64;
    public const int Criticality = 64;
    public const int Endpoint = 1024;
    public const int Pem = 16384;
    public const int Expression = 500;
    public const int TimeZoneId = 64;
    public const int Email = 256;

    /// <summary>Use-case limit: secrets and private keys are stored encrypted in unbounded columns.</summary>
    public const int Secret = 16384;

    /// <summary>Use-case limit: a password is hashed, never stored; the cap keeps the hashing cost bounded.</summary>
    public const int Password = 512;

    /// <summary>Use-case limit for search and filter text (VM search, audit actor, host filter): longer never matches a stored value.</summary>
    public const int Filter = 512;
}

/// <summary>The length and NUL check every text input goes through, in the use case, so the UI and the API report it the same way.</summary>
public static class TextRules
{
    /// <summary>
    /// Adds an error when <paramref name="value"/> is longer than <paramref name="maxLength"/> or holds a NUL character
    /// (PostgreSQL refuses NUL in text, and other databases would store a string that most tools cut short). With
    /// <paramref name="requiredMessage"/>, a missing or blank value is an error too. Null is otherwise fine.
    /// </summary>
    public static Validation Text(this Validation check, string? value, string field, int maxLength, string? requiredMessage = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (requiredMessage is not null) check.Add(field, requiredMessage);
            if (value is null) return check;
        }

        if (value.Length > maxLength) check.Add(field, $"Keep this to {maxLength:N0} characters or fewer (it has {value.Length:N0}).");
        if (value.Contains('\0')) check.Add(field, "Remove the NUL character (\\0); it cannot be stored.");
        return check;
    }

    /// <summary>Whether <see cref="Text"/> would accept the value: callers skip a lookup the database would refuse.</summary>
    public static bool Fits(string? value, int maxLength) => value is null || (value.Length <= maxLength && !value.Contains('\0'));

    /// <summary>Adds an error when an enum holds a number that names none of its members (JSON and query strings accept numbers).</summary>
    public static Validation Defined<TEnum>(this Validation check, TEnum? value, string field) where TEnum : struct, Enum
    {
        if (value is { } v && !Enum.IsDefined(v))
            check.Add(field, $"'{v}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return check;
    }
}
