using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Inventory;

namespace MigrationPortal.Application.Admin;

/// <summary>An owner as the portal shows it: the principal it stores (a user ID, a group name or object ID) and a name to read.</summary>
public sealed record OwnerView(OwnerKind Kind, string Principal, string DisplayName);

/// <summary>
/// Who can own an application, for the picker and for the checks of every use case that sets owners: local accounts and
/// Entra ID users the portal has seen at sign-in (it cannot list Entra without Microsoft Graph), local groups, groups seen in
/// sign-in claims, and any Entra group by its object ID (a GUID). An unknown user is refused: an owner the portal cannot
/// resolve would see an empty inventory with no hint why.
/// </summary>
public sealed class ApplicationOwners(IPortalDb db, IAccountDirectory accounts)
{
    /// <summary>Every known user and group, users first, each by name.</summary>
    public async Task<IReadOnlyList<OwnerView>> ChoicesAsync(CancellationToken ct)
    {
        var local = await accounts.ListAsync(ct);
        var contacts = await db.DirectoryContacts.AsNoTracking().Select(c => new { c.UserId, c.DisplayName, c.Groups }).ToListAsync(ct);
        var users = local.Select(a => new OwnerView(OwnerKind.User, a.Id, $"{a.DisplayName} ({a.UserName})"))
            .Concat(contacts.Where(c => local.All(a => a.Id != c.UserId)).Select(c => new OwnerView(OwnerKind.User, c.UserId, $"{c.DisplayName} (Entra ID)")));
        var localGroups = await db.GroupMemberships.AsNoTracking().Select(m => m.Group).Distinct().ToListAsync(ct);
        var seenGroups = contacts.SelectMany(c => c.Groups.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var groups = localGroups.Concat(seenGroups).Distinct(StringComparer.Ordinal)
            .Select(g => new OwnerView(OwnerKind.Group, g, Guid.TryParse(g, out _) ? $"Entra group {g}" : $"Group {g}"));
        return [.. users.OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase), .. groups.OrderBy(g => g.DisplayName, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The owners with their names; a principal no longer known keeps its stored form, marked so.</summary>
    public async Task<Func<OwnerKind, string, OwnerView>> NamesAsync(CancellationToken ct)
    {
        var known = (await ChoicesAsync(ct)).ToDictionary(o => (o.Kind, o.Principal));
        return (kind, principal) => known.GetValueOrDefault((kind, principal))
            ?? new OwnerView(kind, principal, kind == OwnerKind.User ? $"unknown user {principal}" : Guid.TryParse(principal, out _) ? $"Entra group {principal}" : $"Group {principal}");
    }

    /// <summary>
    /// Checks owners as sent (each under "Owners[i]"): a user must be a known user ID; a group an Entra object ID (a GUID) or a
    /// known group name. Returns the owners with their principals trimmed.
    /// </summary>
    public async Task<IReadOnlyList<SetApplicationOwners.Owner>> CheckAsync(IReadOnlyList<SetApplicationOwners.Owner?>? owners, Validation check, CancellationToken ct)
    {
        var list = owners ?? [];
        var choices = await ChoicesAsync(ct);
        var clean = new List<SetApplicationOwners.Owner>();
        for (var i = 0; i < list.Count; i++)
        {
            var field = $"Owners[{i}]";
            if (list[i] is not { } owner) { check.Add(field, "This owner is empty."); continue; }
            check.Text(owner.Principal, $"{field}.Principal", TextLimits.Principal, "Choose a user or group.")
                .Defined<OwnerKind>(owner.Kind, $"{field}.Kind");
            var principal = owner.Principal?.Trim() ?? "";
            if (principal.Length == 0 || !TextRules.Fits(principal, TextLimits.Principal) || !Enum.IsDefined(owner.Kind)) continue;
            var known = choices.Any(c => c.Kind == owner.Kind && c.Principal == principal);
            if (owner.Kind == OwnerKind.User && !known)
                check.Add($"{field}.Principal", $"'{principal}' is not a known user. Choose a local account or an Entra ID user who has signed in; give the user's ID, not a name.");
            else if (owner.Kind == OwnerKind.Group && !known && !Guid.TryParse(principal, out _))
                check.Add($"{field}.Principal", $"'{principal}' is not a known group. Give an Entra group's object ID (a GUID) or the name of a local group.");
            // One spelling of an object ID, as Entra sends it in the groups claim.
            clean.Add(new SetApplicationOwners.Owner(owner.Kind, owner.Kind == OwnerKind.Group && Guid.TryParse(principal, out var objectId) ? objectId.ToString() : principal));
        }

        return clean;
    }
}
