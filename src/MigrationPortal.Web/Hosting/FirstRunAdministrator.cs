using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Hosting;

/// <summary>
/// On first start with no administrator (roles are created by the database initializer, which runs first), creates the local account "admin". Its password comes from
/// MIGRATIONPORTAL_ADMIN_PASSWORD when set, otherwise it is random and printed once to the console (never logged elsewhere).
/// </summary>
public sealed class FirstRunAdministrator(UserManager<PortalAccount> users, PortalDbContext db, TimeProvider time)
{
    public const string PasswordVariable = "MIGRATIONPORTAL_ADMIN_PASSWORD";

    public async Task EnsureAsync(CancellationToken ct = default)
    {
        if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count > 0) return;
        var existing = await users.FindByNameAsync("admin");
        if (existing is not null)
        {
            await users.AddToRoleAsync(existing, Roles.Administrator);
            return;
        }

        var configured = Environment.GetEnvironmentVariable(PasswordVariable);
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var admin = new PortalAccount { UserName = "admin", DisplayName = "Administrator", EmailConfirmed = true };
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded) throw new InvalidOperationException("Could not create the first administrator: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(admin, Roles.Administrator);
        AuditLog.Record(db, time.GetUtcNow(), Actor.System, AuditActions.UserCreated, "User", admin.Id, new { user = "admin", roles = new[] { Roles.Administrator }, firstRun = true });
        await db.SaveChangesAsync(ct);

        if (string.IsNullOrEmpty(configured))
        {
            // Deliberately the console, not the logger: the password must not end up in log shipping.
            Console.WriteLine("==================================================================");
            Console.WriteLine(" MigrationPortal first run: created local administrator 'admin'.");
            Console.WriteLine($" Password (shown once): {password}");
            Console.WriteLine($" Set {PasswordVariable} before first start to choose it yourself.");
            Console.WriteLine("==================================================================");
        }
    }

    private static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 20);
        // Identity's default rules want a digit, upper, lower and a symbol.
        return new string(chars) + "-7aA";
    }
}
