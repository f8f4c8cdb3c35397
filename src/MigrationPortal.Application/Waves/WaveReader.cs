using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Waves;

/// <summary>One row of a wave file as understood: its wave, and the batch item and schedule it asks for.</summary>
public sealed record WaveRow(int Row, string Wave, string VmName, SubmitBatch.Item Item, string Justification, ScheduleMode ScheduleMode,
    DateTimeOffset? NotBefore, Guid? WindowId, string ScheduleText);

/// <summary>A wave file as understood: its rows in file order, grouped by wave name in order of first appearance.</summary>
public sealed record WaveFile(IReadOnlyList<WaveRow> Rows, IReadOnlyDictionary<string, string[]>? RowErrors = null)
{
    public IEnumerable<IGrouping<string, WaveRow>> Waves => Rows.GroupBy(r => r.Wave, StringComparer.Ordinal);
}

/// <summary>
/// Reads a wave file into batch items, checking what only the file can say (headers, required cells, lengths, NUL,
/// the words of Kind, Options and Schedule) and turning names into IDs. Every VM, host, datastore, map and window named
/// anywhere in the file is loaded in one query per kind, so the cost does not grow by a query per row. The rules of a
/// request itself are not repeated here: <see cref="WaveBatches"/> runs each row through the batch use case.
/// </summary>
public sealed partial class WaveReader(IPortalDb db, AccessGuard guard, ICsvTables csv)
{
    /// <param name="lenient">
    /// Returns the rows it understood with the others' errors (<see cref="WaveFile.RowErrors"/>) instead of throwing, as the
    /// dry run wants. Header and file errors still throw.
    /// </param>
    public async Task<WaveFile> ReadAsync(PortalUser user, Stream file, CancellationToken ct, bool lenient = false)
    {
        // Who may upload is decided before the file is read: a requester (for their own applications' VMs) or an Administrator.
        await guard.RequireRoleAsync(user, "wave.upload", ct, Roles.Requester, Roles.Administrator);
        var sheet = await csv.ReadAsync(file, WaveColumns.MaxRows, ct);
        var check = new Validation();
        var columns = ReadHeaders(sheet.Headers, check);
        check.Require(sheet.Records.Count > 0, "File", "The file has a header but no rows: add one row per VM.");
        check.ThrowIfInvalid();

        var cells = sheet.Records.Select(r => new Cells(r, columns)).ToList();
        foreach (var row in cells)
        {
            foreach (var column in WaveColumns.All)
            {
                var limit = column == WaveColumns.Justification ? TextLimits.Justification : column == WaveColumns.Wave ? TextLimits.Name : TextLimits.ExternalId;
                var required = WaveColumns.Required.Contains(column) ? $"Fill in {column}." : null;
                check.Text(row[column], WaveColumns.Cell(row.Row, column), limit, required);
            }
        }

        // Names are looked up only once they are known to fit: a longer one cannot match and the database may refuse it.
        var lookups = await LoadAsync(user, cells, ct);
        var rows = new List<WaveRow>();
        var firstRowOfVm = new Dictionary<Guid, int>();
        var firstOfWave = new Dictionary<string, Cells>(StringComparer.Ordinal);
        foreach (var row in cells)
        {
            var errorsBefore = check.Errors.Count;
            var vm = ResolveVm(row, lookups, check);
            var kind = ParseKind(row, check);
            var (live, snapshot, encryption) = ParseOptions(row, check);
            var (mode, notBefore, windowId) = ParseSchedule(row, lookups, check);
            if (vm is not null && !firstRowOfVm.TryAdd(vm.Id, row.Row))
                check.Add(WaveColumns.Cell(row.Row, WaveColumns.Vm), $"VM '{vm.Name}' is already in row {firstRowOfVm[vm.Id]}: each VM may appear once in a file.");

            // A wave is one batch, and a batch has one justification and one schedule.
            if (firstOfWave.TryGetValue(row[WaveColumns.Wave], out var first))
            {
                if (!string.Equals(first[WaveColumns.Justification], row[WaveColumns.Justification], StringComparison.Ordinal))
                    check.Add(WaveColumns.Cell(row.Row, WaveColumns.Justification), $"Every row of wave '{row[WaveColumns.Wave]}' needs the justification of its first row ({first.Row}).");
                if (!string.Equals(WaveColumns.Key(first[WaveColumns.Schedule]), WaveColumns.Key(row[WaveColumns.Schedule]), StringComparison.Ordinal))
                    check.Add(WaveColumns.Cell(row.Row, WaveColumns.Schedule), $"Every row of wave '{row[WaveColumns.Wave]}' needs the schedule of its first row ({first.Row}).");
            }
            else if (!string.IsNullOrWhiteSpace(row[WaveColumns.Wave]))
            {
                firstOfWave[row[WaveColumns.Wave]] = row;
            }

            var converting = kind == MigrationKind.CrossPlatform;
            Guid? destination = null;
            if (vm is not null && converting)
            {
                destination = lookups.NetworkMapDestination(row[WaveColumns.NetworkMap], vm.ConnectionId);
                if (destination is null)
                    check.Add(WaveColumns.Cell(row.Row, WaveColumns.NetworkMap), row[WaveColumns.NetworkMap].Length == 0
                        ? "Name the network map: a conversion goes to the connection its network map leads to."
                        : $"No network map named '{Shorten(row[WaveColumns.NetworkMap])}' starts at this VM's connection.");
            }

            if (vm is null || kind is null || check.Errors.Count != errorsBefore) continue;
            var hostConnection = destination ?? vm.ConnectionId;
            var item = new SubmitBatch.Item(vm.Id, kind.Value, live,
                lookups.HostId(hostConnection, row[WaveColumns.TargetHost]),
                lookups.DatastoreId(vm.ConnectionId, row[WaveColumns.TargetDatastore]),
                destination,
                lookups.NetworkMapId(row[WaveColumns.NetworkMap], vm.ConnectionId),
                lookups.StorageMapId(row[WaveColumns.StorageMap], vm.ConnectionId),
                TakeSnapshot: snapshot, RequireEncryption: encryption);
            rows.Add(new WaveRow(row.Row, row[WaveColumns.Wave], vm.Name, item, row[WaveColumns.Justification], mode, notBefore, windowId, row[WaveColumns.Schedule]));
        }

        if (lenient)
        {
            var errors = check.Errors;
            return new WaveFile(rows.Where(r => !errors.Keys.Any(k => k.StartsWith(WaveColumns.Cell(r.Row, ""), StringComparison.Ordinal))).ToList(), errors);
        }

        check.ThrowIfInvalid();
        return new WaveFile(rows);
    }

    private static Dictionary<string, int> ReadHeaders(IReadOnlyList<string> headers, Validation check)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(headers[i])) continue;
            var column = WaveColumns.Match(headers[i]);
            if (column is null)
                check.Add("Headers", $"Column {i + 1} '{Shorten(headers[i])}' is not a wave column; the columns are {string.Join(", ", WaveColumns.All)}.");
            else if (!columns.TryAdd(column, i))
                check.Add("Headers", $"The column {column} appears twice (columns {columns[column] + 1} and {i + 1}).");
        }

        foreach (var column in WaveColumns.Required.Where(c => !columns.ContainsKey(c)))
            check.Add("Headers", $"The header has no {column} column.");
        return columns;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text.Replace("\0", "") : text[..40].Replace("\0", "") + "…";

    /// <summary>A row's cells by column; a column the file leaves out reads as empty.</summary>
    private sealed class Cells(CsvRecord record, IReadOnlyDictionary<string, int> columns)
    {
        public int Row => record.Row;

        public string this[string column] =>
            columns.TryGetValue(column, out var i) && i < record.Fields.Count ? record.Fields[i].Trim() : "";
    }

    private static MigrationKind? ParseKind(Cells row, Validation check)
    {
        var text = row[WaveColumns.Kind];
        if (text.Length == 0) return null;
        foreach (var kind in Enum.GetValues<MigrationKind>())
            if (WaveColumns.Key(kind.ToString()) == WaveColumns.Key(text)) return kind;
        check.Add(WaveColumns.Cell(row.Row, WaveColumns.Kind), $"'{Shorten(text)}' is not a kind; use one of {string.Join(", ", Enum.GetNames<MigrationKind>())}.");
        return null;
    }

    /// <summary>Options are words separated by spaces, commas, semicolons or '|': live or cold; snapshot or no-snapshot; encryption or no-encryption.</summary>
    private static (bool Live, bool? Snapshot, bool? Encryption) ParseOptions(Cells row, Validation check)
    {
        bool? live = null, snapshot = null, encryption = null;
        var field = WaveColumns.Cell(row.Row, WaveColumns.Options);
        foreach (var word in row[WaveColumns.Options].Split([' ', ',', ';', '|'], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (WaveColumns.Key(word))
            {
                case "live": Set(ref live, true, "live"); break;
                case "cold": Set(ref live, false, "cold"); break;
                case "snapshot": Set(ref snapshot, true, "snapshot"); break;
                case "nosnapshot": Set(ref snapshot, false, "no-snapshot"); break;
                case "encryption": Set(ref encryption, true, "encryption"); break;
                case "noencryption": Set(ref encryption, false, "no-encryption"); break;
                default:
                    check.Add(field, $"'{Shorten(word)}' is not an option; use live or cold, snapshot or no-snapshot, encryption or no-encryption.");
                    break;
            }
        }

        return (live ?? false, snapshot, encryption);

        void Set(ref bool? option, bool value, string word)
        {
            if (option is { } set && set != value) check.Add(field, $"'{word}' contradicts another option of this row.");
            option = value;
        }
    }

    /// <summary>Empty or "as soon as approved"; "next window"; a time with its offset (ISO 8601); or a maintenance window's name.</summary>
    private static (ScheduleMode Mode, DateTimeOffset? NotBefore, Guid? WindowId) ParseSchedule(Cells row, Lookups lookups, Validation check)
    {
        var text = row[WaveColumns.Schedule];
        var key = WaveColumns.Key(text);
        if (key is "" or "asap" or "assoonasapproved") return (ScheduleMode.AsSoonAsApproved, null, null);
        if (key == "nextwindow") return (ScheduleMode.NextWindow, null, null);
        if (lookups.Windows.TryGetValue(text, out var windowId)) return (ScheduleMode.ChosenWindow, null, windowId);
        if (char.IsDigit(text[0]))
        {
            // Without an offset the same words mean different instants to different people: the file must say which.
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && HasOffset().IsMatch(text))
                return (ScheduleMode.SpecificTime, at.ToUniversalTime(), null);
            check.Add(WaveColumns.Cell(row.Row, WaveColumns.Schedule), $"'{Shorten(text)}' is not a time with its offset; write it like 2026-12-05T22:00:00Z or 2026-12-05T23:00:00+01:00.");
            return (ScheduleMode.SpecificTime, null, null);
        }

        check.Add(WaveColumns.Cell(row.Row, WaveColumns.Schedule),
            $"No maintenance window is named '{Shorten(text)}'; leave Schedule empty (as soon as approved), or write 'next window', a time such as 2026-12-05T22:00:00Z, or a window's name.");
        return (ScheduleMode.ChosenWindow, null, null);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:[Zz]|[+-]\d{2}:?\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex HasOffset();

    private static Domain.Inventory.InventoryVm? ResolveVm(Cells row, Lookups lookups, Validation check)
    {
        var text = row[WaveColumns.Vm];
        if (text.Length == 0) return null;
        var field = WaveColumns.Cell(row.Row, WaveColumns.Vm);
        // The portal ID and the hypervisor ID are both exact, and a libvirt domain's hypervisor ID is itself a UUID, so a
        // UUID is tried as either (as VmReferences does for the API); a name is a last resort. Only one VM may match.
        var portalId = Guid.TryParse(text, out var id) ? id : (Guid?)null;
        var matches = lookups.Vms.Where(v => v.Id == portalId || string.Equals(v.ExternalId, text, StringComparison.Ordinal)).ToList();
        if (matches.Count == 0) matches = lookups.Vms.Where(v => string.Equals(v.Name, text, StringComparison.Ordinal)).ToList();
        if (matches.Count == 1) return matches[0];
        check.Add(field, matches.Count == 0
            ? $"No VM you may request has the ID or name '{Shorten(text)}'."
            : $"'{Shorten(text)}' names {matches.Count} VMs: {string.Join("; ", matches.Take(5).Select(v => $"{v.Name} (id {v.Id}, externalId {v.ExternalId}, connectionId {v.ConnectionId})"))}{(matches.Count > 5 ? "; …" : "")}. Use the VM's portal ID (id) instead.");
        return null;
    }

    private async Task<Lookups> LoadAsync(PortalUser user, IReadOnlyList<Cells> rows, CancellationToken ct)
    {
        List<string> Values(string column) => rows.Select(r => r[column]).Where(v => v.Length > 0 && TextRules.Fits(v, TextLimits.ExternalId)).Distinct(StringComparer.Ordinal).ToList();
        var vmTexts = Values(WaveColumns.Vm);
        var vmIds = vmTexts.Select(t => Guid.TryParse(t, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();
        var vms = db.Vms.AsNoTracking();
        // A requester resolves only their own applications' VMs, so a row naming another's VM reads as unknown, as the API's 404 would.
        if (!user.IsIn(Roles.Administrator))
        {
            var owned = (await guard.OwnedApplicationIdsAsync(user, ct)).ToList();
            vms = vms.Where(v => v.ApplicationId != null && owned.Contains(v.ApplicationId.Value));
        }

        var foundVms = await vms.Where(v => vmIds.Contains(v.Id) || vmTexts.Contains(v.Name) || vmTexts.Contains(v.ExternalId)).ToListAsync(ct);
        var hostTexts = Values(WaveColumns.TargetHost);
        var hosts = await db.Hosts.AsNoTracking().Where(h => hostTexts.Contains(h.ExternalId) || hostTexts.Contains(h.Name))
            .Select(h => new Named(h.ConnectionId, h.ExternalId, h.Name)).ToListAsync(ct);
        var storeTexts = Values(WaveColumns.TargetDatastore);
        var stores = await db.Datastores.AsNoTracking().Where(d => storeTexts.Contains(d.ExternalId) || storeTexts.Contains(d.Name))
            .Select(d => new Named(d.ConnectionId, d.ExternalId, d.Name)).ToListAsync(ct);
        var networkNames = Values(WaveColumns.NetworkMap);
        var networkMaps = await db.NetworkMaps.AsNoTracking().Where(m => networkNames.Contains(m.Name))
            .Select(m => new MapRef(m.Id, m.Name, m.SourceConnectionId, m.DestinationConnectionId)).ToListAsync(ct);
        var storageNames = Values(WaveColumns.StorageMap);
        var storageMaps = await db.StorageMaps.AsNoTracking().Where(m => storageNames.Contains(m.Name))
            .Select(m => new MapRef(m.Id, m.Name, m.SourceConnectionId, m.DestinationConnectionId)).ToListAsync(ct);
        var windowNames = rows.Select(r => r[WaveColumns.Schedule]).Where(v => v.Length > 0 && TextRules.Fits(v, TextLimits.WindowName)).Distinct(StringComparer.Ordinal).ToList();
        var windows = await db.MaintenanceWindows.AsNoTracking().Where(w => windowNames.Contains(w.Name)).Select(w => new { w.Id, w.Name }).ToListAsync(ct);
        return new Lookups(foundVms, hosts, stores, networkMaps, storageMaps,
            windows.GroupBy(w => w.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal));
    }

    private sealed record Named(Guid ConnectionId, string ExternalId, string Name);

    private sealed record MapRef(Guid Id, string Name, Guid SourceConnectionId, Guid DestinationConnectionId);

    /// <summary>
    /// What the file's names stand for. A name that matches nothing is passed on as written, so the request's own
    /// validation reports it in its usual words ("That host is not in this VM's inventory").
    /// </summary>
    private sealed record Lookups(IReadOnlyList<Domain.Inventory.InventoryVm> Vms, IReadOnlyList<Named> Hosts, IReadOnlyList<Named> Stores,
        IReadOnlyList<MapRef> NetworkMaps, IReadOnlyList<MapRef> StorageMaps, IReadOnlyDictionary<string, Guid> Windows)
    {
        public string? HostId(Guid connectionId, string text) => Resolve(Hosts, connectionId, text);

        public string? DatastoreId(Guid connectionId, string text) => Resolve(Stores, connectionId, text);

        private static string? Resolve(IReadOnlyList<Named> items, Guid connectionId, string text)
        {
            if (text.Length == 0) return null;
            var inConnection = items.Where(i => i.ConnectionId == connectionId).ToList();
            return inConnection.FirstOrDefault(i => i.ExternalId == text)?.ExternalId
                ?? (inConnection.Count(i => i.Name == text) == 1 ? inConnection.First(i => i.Name == text).ExternalId : text);
        }

        /// <summary>The destination of the named network map from the VM's connection, or null when no such map exists.</summary>
        public Guid? NetworkMapDestination(string name, Guid source) =>
            NetworkMaps.FirstOrDefault(m => m.Name == name && m.SourceConnectionId == source)?.DestinationConnectionId;

        public Guid? NetworkMapId(string name, Guid source) => MapId(NetworkMaps, name, source);

        public Guid? StorageMapId(string name, Guid source) => MapId(StorageMaps, name, source);

        // An unknown name becomes an ID no map has, so the conversion rules say "That network map is not one for vc → kvm".
        private static Guid? MapId(IReadOnlyList<MapRef> maps, string name, Guid source) =>
            name.Length == 0 ? null : maps.FirstOrDefault(m => m.Name == name && m.SourceConnectionId == source)?.Id ?? Guid.Empty;
    }
}
