using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// The concurrency limits in force: the stored rows over the defaults of each installed kind's descriptor (and of the
/// portal-wide limits). A row of a kind or resource no longer installed is kept but not used.
/// </summary>
public sealed class LimitTable(IReadOnlyList<ConcurrencyLimit> rows, IConnectorKinds kinds)
{
    private readonly Dictionary<(string Kind, string Resource), ConcurrencyLimit> _rows = rows.ToDictionary(r => (r.Kind, r.Resource));

    /// <summary>The limits a kind defines (the portal's own for <see cref="PortalLimits.Kind"/>), or null for a kind not installed.</summary>
    public static IReadOnlyList<LimitDefinition>? DefinitionsOf(string kind, IConnectorKinds kinds) =>
        kind == PortalLimits.Kind ? PortalLimits.Definitions : kinds.Find(kind)?.Limits;

    /// <summary>The stored row, if an Administrator set this limit.</summary>
    public ConcurrencyLimit? Row(string kind, string resource) => _rows.GetValueOrDefault((kind, resource));

    /// <summary>The value in force; asking for a limit the kind does not define is a fault in its descriptor.</summary>
    public int Value(string kind, string resource)
    {
        if (_rows.TryGetValue((kind, resource), out var row)) return row.Value;
        return DefinitionsOf(kind, kinds)?.FirstOrDefault(d => d.Resource == resource)?.Default
            ?? throw new InvalidOperationException($"Connection kind '{kind}' defines no limit '{resource}'; add it to the descriptor's Limits.");
    }

    /// <summary>The kind's values by resource (rows over defaults), for its cross-field rules.</summary>
    public Dictionary<string, int> ValuesOf(string kind) =>
        (DefinitionsOf(kind, kinds) ?? []).ToDictionary(d => d.Resource, d => Value(kind, d.Resource), StringComparer.Ordinal);
}
