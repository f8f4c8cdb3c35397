using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// An Administrator creates or edits a network map: each source network or port group becomes a destination network or a
/// bridge. The flow (versions, one round of errors, 409s) is <see cref="SaveConversionMap{TMap, TEntry, TInput, TView}"/>'s.
/// </summary>
public sealed class SaveNetworkMap(IPortalDb db, AccessGuard guard, TimeProvider time, IConnectorKinds kinds)
    : SaveConversionMap<NetworkMap, NetworkMapping, SaveNetworkMap.Entry, NetworkMapView>(db, guard, time, kinds)
{
    /// <summary>One entry as typed or sent; every part is checked (a missing target kind is an error, not a silent default).</summary>
    public sealed record Entry(string? SourceNetwork, NetworkTargetKind? TargetKind, string? TargetName);

    protected override (string Map, string Source, string SourceField) Words => ("network map", "network", nameof(Entry.SourceNetwork));

    protected override DbSet<NetworkMap> Maps => Db.NetworkMaps;

    protected override Task<HashSet<string>> SourceNamesAsync(Guid sourceConnectionId, CancellationToken ct) => ConversionMapRules.NetworkNamesAsync(Db, sourceConnectionId, ct);

    protected override string? SourceOf(Entry entry) => entry.SourceNetwork;

    // A destination network or bridge is named freely: a bridge is host configuration the inventory does not list.
    protected override Task<Func<Entry, string, string, Validation, NetworkMapping>> TargetRulesAsync(Connection? destination, CancellationToken ct) =>
        Task.FromResult<Func<Entry, string, string, Validation, NetworkMapping>>((e, field, source, check) =>
        {
            check.Text(e.TargetName, $"{field}.TargetName", TextLimits.Name, e.TargetKind == NetworkTargetKind.Bridge ? "Name the bridge." : "Choose the destination network.")
                .Defined(e.TargetKind, $"{field}.TargetKind")
                .Require(e.TargetKind is not null, $"{field}.TargetKind", "Choose a network or a bridge.");
            return new NetworkMapping(source, e.TargetKind.GetValueOrDefault(), e.TargetName?.Trim() ?? "");
        });

    protected override NetworkMap Create(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<NetworkMapping> entries, Actor actor, DateTimeOffset now) =>
        new(name, sourceConnectionId, destinationConnectionId, entries, actor, now);

    protected override object AuditEntries(IReadOnlyList<NetworkMapping> entries) => entries.Select(e => new { e.SourceNetwork, targetKind = e.TargetKind.ToString(), e.TargetName });

    protected override NetworkMapView ViewOf(NetworkMap map, IReadOnlyDictionary<Guid, string> connectionNames) => NetworkMapView.From(map, connectionNames);
}
