using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Rules;

namespace MigrationPortal.Application.Rules;

/// <summary>
/// An Administrator or Operator edits a rule in place (its connection stays; a rule for another connection is a new rule).
/// The edit names the version it started from: a rule changed by someone else since is refused with 409, not overwritten.
/// </summary>
public sealed class UpdateRule(IPortalDb db, AccessGuard guard, TimeProvider time)
{
    public sealed record Command(Guid Id, int? ExpectedVersion, string? Name, PlacementRuleKind? Kind, RuleEnforcement? Enforcement, IReadOnlyList<Guid>? VmIds, IReadOnlyList<Guid>? HostIds);

    public async Task<PlacementRuleView> HandleAsync(PortalUser user, Command command, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "rule.update", ct, RuleAccess.WriteRoles);
        var rule = await db.PlacementRules.Include(r => r.Vms).Include(r => r.Hosts).AsSplitQuery().FirstOrDefaultAsync(r => r.Id == command.Id, ct)
            ?? throw new NotFoundException("Rule", command.Id);
        if (command.ExpectedVersion is { } expected && expected != rule.Version)
            throw new ConflictException($"The rule '{rule.Name}' was changed by {rule.UpdatedBy} since you opened it (version {expected}, now {rule.Version}); reload it and edit again.");
        var check = new Validation();
        check.Require(command.ExpectedVersion is not null, "ExpectedVersion", "Send the version the edit started from.");
        var input = await RuleInput.CheckAsync(db, check, rule.ConnectionId, command.Name, command.Kind, command.Enforcement, command.VmIds, command.HostIds, ct);
        check.ThrowIfInvalid();
        var now = time.GetUtcNow();
        rule.Update(command.Name!, input.Kind, input.Enforcement, input.VmIds, input.HostIds, user.AsActor(), now);
        AuditLog.Record(db, now, user.AsActor(), AuditActions.ConfigChanged, nameof(PlacementRule), rule.Id.ToString(), RuleAudit.Details("edited", rule, input.Connection!.Name));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (UniqueConstraintException)
        {
            throw new ConflictException($"'{input.Connection.Name}' already has a rule called '{rule.Name}'; choose another name.");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"The rule '{rule.Name}' was changed or deleted by someone else while you saved; reload it and edit again.");
        }

        return (await ListRules.ViewsAsync(db, [rule], null, ct))[0];
    }
}
