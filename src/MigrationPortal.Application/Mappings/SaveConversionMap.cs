using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Mappings;

namespace MigrationPortal.Application.Mappings;

/// <summary>
/// How an Administrator creates a conversion map (no ID) or edits one (ID and the version it was read at), for both kinds:
/// every problem is reported in one round, each under its field ("Entries[2].TargetName"). Two Administrators editing one
/// map: the second save gets 409 instead of overwriting; two maps of one name for a pair: the unique index decides, also 409.
/// A kind (<see cref="SaveNetworkMap"/>, <see cref="SaveStorageMap"/>) says only what differs: its entries' target fields,
/// the inventory its source names are checked against, and its words.
/// </summary>
/// <typeparam name="TInput">One entry as typed or sent.</typeparam>
public abstract class SaveConversionMap<TMap, TEntry, TInput, TView>(IPortalDb db, AccessGuard guard, TimeProvider time, IConnectorKinds kinds)
    where TMap : ConversionMap<TEntry>
    where TInput : class
{
    /// <summary>The unit of work, for the kinds' lookups.</summary>
    protected IPortalDb Db { get; } = db;

    /// <param name="ExpectedVersion">The version the edit started from; required with <paramref name="Id"/>.</param>
    public sealed record Command(Guid? Id, int? ExpectedVersion, string? Name, Guid SourceConnectionId, Guid DestinationConnectionId, IReadOnlyList<TInput?>? Entries);

    /// <summary>What the kind's words are: "network map", "network" (what an entry maps from) and the entry's source field.</summary>
    protected abstract (string Map, string Source, string SourceField) Words { get; }

    protected abstract DbSet<TMap> Maps { get; }

    /// <summary>The names an entry's source may take: the source connection's inventory, as last synced.</summary>
    protected abstract Task<HashSet<string>> SourceNamesAsync(Guid sourceConnectionId, CancellationToken ct);

    /// <summary>
    /// Prepares what the target side of each entry is checked against (a destination's pools, say), and returns the check:
    /// it reports problems with the entry's target fields under <c>field</c> ("Entries[2]") and builds the clean entry.
    /// </summary>
    protected abstract Task<Func<TInput, string, string, Validation, TEntry>> TargetRulesAsync(Connection? destination, CancellationToken ct);

    protected abstract string? SourceOf(TInput entry);

    protected abstract TMap Create(string name, Guid sourceConnectionId, Guid destinationConnectionId, IReadOnlyList<TEntry> entries, Actor actor, DateTimeOffset now);

    /// <summary>The entries as the audit event records them (enums as names).</summary>
    protected abstract object AuditEntries(IReadOnlyList<TEntry> entries);

    protected abstract TView ViewOf(TMap map, IReadOnlyDictionary<Guid, string> connectionNames);

    public async Task<TView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        var (mapWord, sourceWord, sourceField) = Words;
        var capitalized = char.ToUpperInvariant(mapWord[0]) + mapWord[1..];
        await guard.RequireRoleAsync(user, $"{mapWord.Replace(' ', '-')}.save", ct, Roles.Administrator);
        TMap? map = null;
        if (command.Id is { } id)
        {
            map = await Maps.FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException(capitalized, id);
            if (command.ExpectedVersion is { } expected && expected != map.Version)
                throw new ConflictException($"The {mapWord} '{map.Name}' was changed by {map.UpdatedBy} since you opened it (version {expected}, now {map.Version}); reload it and edit again.");
        }

        var check = new Validation();
        check.Require(map is null || command.ExpectedVersion is not null, "ExpectedVersion", "Send the version the edit started from.");
        check.Require(map is null || (map.SourceConnectionId == command.SourceConnectionId && map.DestinationConnectionId == command.DestinationConnectionId),
            "SourceConnectionId", "A map's connections cannot change; create a new map for the other pair.");
        var (source, destination) = await ConversionMapRules.CheckNameAndPairAsync(Db, kinds, check, command.Name, command.SourceConnectionId, command.DestinationConnectionId, ct);
        var entries = command.Entries ?? [];
        check.Require(entries.Count > 0, "Entries", $"Map at least one {sourceWord}.");
        var sourceNames = source is null ? [] : await SourceNamesAsync(source.Id, ct);
        var target = await TargetRulesAsync(destination, ct);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var clean = new List<TEntry>();
        for (var i = 0; i < entries.Count; i++)
        {
            var field = $"Entries[{i}]";
            if (entries[i] is not { } e) { check.Add(field, "This entry is empty."); continue; }
            check.Text(SourceOf(e), $"{field}.{sourceField}", TextLimits.Name, $"Choose the source {sourceWord}.");
            var sourceName = SourceOf(e)?.Trim() ?? "";
            if (sourceName.Length > 0 && TextRules.Fits(sourceName, TextLimits.Name))
            {
                if (seen.TryGetValue(sourceName, out var first))
                    check.Add($"{field}.{sourceField}", $"'{sourceName}' is already mapped in entry {first + 1}.");
                else seen[sourceName] = i;
                if (source is not null && !sourceNames.Contains(sourceName))
                    check.Add($"{field}.{sourceField}", $"'{sourceName}' is not a {sourceWord} in {ConversionMapRules.InventoryOf(source, sourceNames.Count)}.");
            }

            clean.Add(target(e, field, sourceName, check));
        }

        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var created = map is null;
        if (map is null)
        {
            map = Create(command.Name!, source!.Id, destination!.Id, clean, user.AsActor(), now);
            Maps.Add(map);
        }
        else map.Update(command.Name!, clean, user.AsActor(), now);

        AuditLog.Record(Db, now, user.AsActor(), AuditActions.MapSaved, typeof(TMap).Name, map.Id.ToString(), new
        {
            change = created ? "created" : "edited", map.Name, source = source!.Name, destination = destination!.Name, map.Version, entries = AuditEntries(clean),
        });
        try
        {
            await Db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"A {mapWord} from '{source.Name}' to '{destination.Name}' is already called '{map.Name}'; choose another name.");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The {mapWord} '{map.Name}' was changed or deleted by someone else while you saved; reload it and edit again.");
        }

        return ViewOf(map, new Dictionary<Guid, string> { [source.Id] = source.Name, [destination.Id] = destination.Name });
    }
}
