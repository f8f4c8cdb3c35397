using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Auth;

/// <summary>Audits sign-ins and failures from both paths (local form, Entra ID) in one shape.</summary>
public static class SignInAudit
{
    public static async Task RecordAsync(HttpContext http, Actor actor, bool succeeded, string method, string? reason = null)
    {
        var db = http.RequestServices.GetRequiredService<PortalDbContext>();
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        AuditLog.Record(db, time.GetUtcNow(), actor, succeeded ? AuditActions.SignIn : AuditActions.SignInFailed, "User", actor.Id,
            new { method, remote = http.Connection.RemoteIpAddress?.ToString(), reason });
        await db.SaveChangesAsync(http.RequestAborted);
    }
}
