using Microsoft.JSInterop;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>
/// The signed-in user's time zone, as their browser reports it (an IANA name, e.g. "Europe/Berlin"), for showing times
/// in the user's zone beside UTC. One per circuit. Until the browser has answered (while prerendering, or when the
/// browser gives no zone or one this server does not know) it is UTC, so a page never shows a zone it guessed.
/// </summary>
public sealed class UserTimeZone(IJSRuntime js)
{
    private TimeZoneInfo? _zone;

    /// <summary>The zone known so far: UTC until <see cref="ResolveAsync"/> has been answered.</summary>
    public TimeZoneInfo Zone => _zone ?? TimeZoneInfo.Utc;

    /// <summary>Whether the browser's zone is known (false while prerendering).</summary>
    public bool IsResolved => _zone is not null;

    /// <summary>Asks the browser once per circuit; call from OnAfterRenderAsync(firstRender). Returns the zone.</summary>
    public async Task<TimeZoneInfo> ResolveAsync()
    {
        if (_zone is not null) return _zone;
        try
        {
            var id = await js.InvokeAsync<string?>("portalTimeZone");
            _zone = id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) ? found : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is JSException or InvalidOperationException or JSDisconnectedException or TaskCanceledException)
        {
            // Prerendering (no browser yet) or a circuit gone: stay on UTC, ask again next time.
            return TimeZoneInfo.Utc;
        }

        return _zone;
    }

    /// <summary>Sets the zone directly (tests, or a saved choice).</summary>
    public void Use(TimeZoneInfo zone) => _zone = zone;

    /// <summary>The instant in the user's zone.</summary>
    public DateTimeOffset ToUser(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>"2026-12-04 09:30 Europe/Berlin (08:30 UTC)"; just the UTC text when the user's zone is UTC.</summary>
    public string Describe(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        if (Zone.Id is "UTC" or "Etc/UTC" || Zone == TimeZoneInfo.Utc) return $"{utc:yyyy-MM-dd HH:mm} UTC";
        var local = ToUser(instant);
        var sameDay = local.Date == utc.Date;
        return $"{local:yyyy-MM-dd HH:mm} {Zone.Id} ({(sameDay ? utc.ToString("HH:mm") : utc.ToString("yyyy-MM-dd HH:mm"))} UTC)";
    }
}
