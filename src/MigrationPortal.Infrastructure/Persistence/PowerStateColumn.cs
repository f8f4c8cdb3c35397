using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Infrastructure.Persistence;

/// <summary>
/// How <see cref="PowerState"/> is stored. The Hosts and Vms columns held vSphere's words before the enum existed
/// ("poweredOn", "poweredOff", "suspended", "unknown"); they keep holding them, so existing databases need no data
/// migration and the schema is unchanged. These strings are a storage format only: nothing reads them but this converter.
/// </summary>
internal static class PowerStateColumn
{
    public static readonly ValueConverter<PowerState, string> Converter = new(v => ToColumn(v), s => FromColumn(s));

    public static string ToColumn(PowerState state) => state switch
    {
        PowerState.On => "poweredOn",
        PowerState.Off => "poweredOff",
        PowerState.Suspended => "suspended",
        _ => "unknown",
    };

    public static PowerState FromColumn(string? value) => value switch
    {
        "poweredOn" => PowerState.On,
        "poweredOff" => PowerState.Off,
        "suspended" => PowerState.Suspended,
        _ => PowerState.Unknown,
    };
}
