using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Auth;

/// <summary>Audits sign-ins and failures from both paths (local form, Entra ID) in one shape.</summary>
public static class SignInAudit
{
    /// <summary>How much of a typed user name a failed sign-in records: the column's length (anyone may type anything here).</summary>
    public const int MaxRecordedUserName = 256;

    public static async Task RecordAsync(HttpContext http, Actor actor, bool succeeded, string method, string? reason = null)
    {
        // The name of an unknown user is whatever an anonymous caller typed: keep what fits, without NUL, so the
        // audit write cannot fail (PostgreSQL refuses both) nor grow the trail by a megabyte per attempt.
        actor = new Actor(Fit(actor.Id), Fit(actor.Name));
        var db = http.RequestServices.GetRequiredService<PortalDbContext>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        AuditLog.Record(db, time.GetUtcNow(), actor, succeeded ? AuditActions.SignIn : AuditActions.SignInFailed, "User", actor.Id,
            new { method, remote = http.Connection.RemoteIpAddress?.ToString(), reason });
        await db.SaveChangesAsync(http.RequestAborted);
    }

    private static string Fit(string text)
    {
        var clean = text.Replace("\0", "", StringComparison.Ordinal);
        return clean.Length <= MaxRecordedUserName ? clean : clean[..(MaxRecordedUserName - 1)] + "…";
    }
}
