namespace MigrationPortal.Application.Waves;

/// <summary>
/// The columns of a wave file. Headers match without regard to case, spaces, underscores or hyphens ("Target host",
/// "target_host" and "TargetHost" are one column); errors name the column as written here: "Rows[12].TargetHost".
/// </summary>
public static class WaveColumns
{
    public const string Vm = "VM";
    public const string Kind = "Kind";
    public const string TargetHost = "TargetHost";
    public const string TargetDatastore = "TargetDatastore";
    public const string NetworkMap = "NetworkMap";
    public const string StorageMap = "StorageMap";
    public const string Options = "Options";
    public const string Wave = "Wave";
    public const string Schedule = "Schedule";
    public const string Justification = "Justification";

    public static readonly IReadOnlyList<string> All = [Vm, Kind, TargetHost, TargetDatastore, NetworkMap, StorageMap, Options, Wave, Schedule, Justification];

    public static readonly IReadOnlyList<string> Required = [Vm, Kind, Wave, Justification];

    /// <summary>The most rows one file may hold: enough for a large wave, small enough to validate in one request.</summary>
    public const int MaxRows = 5000;

    /// <summary>The largest upload accepted, in bytes.</summary>
    public const long MaxFileBytes = 5 * 1024 * 1024;

    /// <summary>The canonical column a header names, or null when it names none.</summary>
    public static string? Match(string header)
    {
        var key = Key(header);
        return All.FirstOrDefault(c => Key(c) == key);
    }

    /// <summary>Words compared without case or separators ("next-window", "Next window", "NEXT_WINDOW").</summary>
    public static string Key(string text) =>
        new string(text.Where(c => c is not (' ' or '_' or '-' or '\t')).ToArray()).ToLowerInvariant();

    /// <summary>The error key of a cell: "Rows[12].TargetHost", the row as a spreadsheet numbers it.</summary>
    public static string Cell(int row, string column) => $"Rows[{row}].{column}";

    /// <summary>The column a field of a request or batch is entered in, for errors the shared validation raises.</summary>
    public static string ForField(string field) => field switch
    {
        "VmId" or "Items" => Vm,
        "Kind" => Kind,
        "TargetHostId" => TargetHost,
        "TargetDatastoreId" => TargetDatastore,
        // A conversion's destination connection is the network map's destination.
        "TargetConnectionId" or "NetworkMapId" => NetworkMap,
        "StorageMapId" => StorageMap,
        "Live" or "TakeSnapshot" or "RequireEncryption" or "KeepIdentity" or "AfterSuccess" => Options,
        "ScheduleMode" or "NotBefore" or "WindowId" => Schedule,
        "Justification" => Justification,
        "Name" or "BatchId" => Wave,
        _ => field,
    };
}
