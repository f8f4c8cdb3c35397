using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using Microsoft.EntityFrameworkCore;

namespace MigrationPortal.Application.Notifications;

/// <summary>
/// Keeps an Entra ID user's mail address, roles and groups as the sign-in token gave them, so notifications can reach
/// approvers and operators who have no local account. Each sign-in refreshes the row; nothing else writes it.
/// </summary>
public sealed class RememberContact(IPortalDb db, TimeProvider time)
{
    public async Task HandleAsync(PortalUser user, string? email, CancellationToken ct = default)
    {
        var address = string.IsNullOrWhiteSpace(email) || !email.Contains('@') ? null : email.Trim();
        var row = await db.DirectoryContacts.FirstOrDefaultAsync(c => c.UserId == user.Id, ct);
        if (row is null)
        {
            row = new DirectoryContact { UserId = user.Id };
            db.DirectoryContacts.Add(row);
        }

        row.DisplayName = Truncate(user.Name, 256);
        row.Email = address is null ? null : Truncate(address, 256);
        row.Roles = string.Join(',', user.Roles.Order());
        row.Groups = Truncate(string.Join(',', user.Groups.Order()), 4000);
        row.SeenAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (row is not null)
        {
            // Two sign-ins of the same user raced to insert the row; the other one has just written the same facts.
            db.DiscardChanges();
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
