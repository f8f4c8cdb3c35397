namespace MigrationPortal.Application.Common;

/// <summary>The thing asked for does not exist (404).</summary>
public sealed class NotFoundException(string what, object id) : Exception($"{what} '{id}' was not found.");

/// <summary>The user may not do this (403). The denial has already been audited when this is thrown.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>Input that fails validation (400), with the failing fields.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("One or more fields are invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Someone else changed the same thing first (409); the caller should reload and decide again.</summary>
public sealed class ConflictException(string message) : Exception(message);

/// <summary>Collects field errors, then throws them together so the UI can show each beside its field.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public Validation Require(bool condition, string field, string message)
    {
        if (!condition) Add(field, message);
        return this;
    }

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public bool HasErrors => _errors.Count > 0;

    /// <summary>The errors so far, for a form that shows them without throwing.</summary>
    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void ThrowIfInvalid()
    {
        if (HasErrors) throw new ValidationFailedException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}
