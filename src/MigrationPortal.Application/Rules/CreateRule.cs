using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// An Administrator or Operator adds a placement rule to a connection. Every problem is reported in one round; a second
/// rule of the same name on the connection is refused by the unique index (409), so two people saving at once cannot both win.
/// </summary>
public sealed class CreateRule(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(Guid ConnectionId, string? Name, PlacementRuleKind? Kind, RuleEnforcement? Enforcement, IReadOnlyList<Guid>? VmIds, IReadOnlyList<Guid>? HostIds);

    public async Task<PlacementRuleView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "rule.create", ct, RuleAccess.WriteRoles);
        var check = new Validation();
        var input = await RuleInput.CheckAsync(db, check, command.ConnectionId, command.Name, command.Kind, command.Enforcement, command.VmIds, command.HostIds, ct);
        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        var rule = new PlacementRule(input.Connection!.Id, command.Name!, input.Kind, input.Enforcement, input.VmIds, input.HostIds, user.AsActor(), now);
        db.PlacementRules.Add(rule);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(PlacementRule), rule.Id.ToString(), RuleAudit.Details("created", rule, input.Connection.Name));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"'{input.Connection.Name}' already has a rule called '{rule.Name}'; choose another name.");
        }

        return (await ListRules.ViewsAsync(db, [rule], null, ct))[0];
    }
}
