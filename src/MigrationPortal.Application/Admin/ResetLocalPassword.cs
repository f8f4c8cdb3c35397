using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Admin;

/// <summary>An administrator sets a new password for a local account (and lifts a lockout). The password is never audited; the reset is.</summary>
public sealed class ResetLocalPassword(IPortalDb db, IAccountDirectory accounts, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(string UserId, string NewPassword);

    public async Task HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "user.password", ct, Roles.Administrator);
        if (!TextRules.Fits(command.UserId, TextLimits.UserId) || !await accounts.ExistsAsync(command.UserId, ct)) throw new NotFoundException("User", command.UserId);
        new Validation().Text(command.NewPassword, "Password", TextLimits.Password, "Choose a new password.").ThrowIfInvalid();
        await db.InTransactionAsync(async token =>
        {
            var errors = await accounts.ResetPasswordAsync(command.UserId, command.NewPassword, token);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            AuditLog.Record(db, time.GetUtcNow(), user.AsActor(), AuditActions.ConfigChanged, "User", command.UserId, new { change = "password reset", lockoutCleared = true });
            await db.SaveChangesAsync(token);
        }, ct);
    }
}
