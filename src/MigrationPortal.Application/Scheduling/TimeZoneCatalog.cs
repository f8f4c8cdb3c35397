namespace MigrationPortal.Application.Scheduling;

/// <summary>
/// The IANA time zones a window or blackout may name, for the page's searchable picker. The same rule as
/// <see cref="WindowSchedule"/>'s check (a zone .NET knows by its IANA name, or UTC), so every zone offered is accepted.
/// </summary>
public static class TimeZoneCatalog
{
    private static readonly Lazy<IReadOnlyList<string>> Zones = new(Load);

    public static IReadOnlyList<string> All => Zones.Value;

    /// <summary>
    /// Zones whose name contains every word typed, ignoring case; a space also matches the underscore in the name, so
    /// "new york" finds America/New_York. Blank text lists them all.
    /// </summary>
    public static IReadOnlyList<string> Search(string? text, int max = 100)
    {
        var words = (text ?? "").Replace('_', ' ').Split([' ', '/'], StringSplitOptions.RemoveEmptyEntries);
        return All.Where(zone => words.All(w => zone.Replace('_', ' ').Contains(w, StringComparison.OrdinalIgnoreCase))).Take(max).ToList();
    }

    private static IReadOnlyList<string> Load()
    {
        var names = TimeZoneInfo.GetSystemTimeZones()
            .Select(z => z.HasIanaId ? z.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(z.Id, out var iana) ? iana : null)
            .OfType<string>()
            .Where(id => id == "UTC" || TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _))
            .Append("UTC");
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
