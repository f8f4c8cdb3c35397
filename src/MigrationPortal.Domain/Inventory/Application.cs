namespace MigrationPortal.Domain.Inventory;

/// <summary>A business application that owns VMs. Its owners may request migrations of its VMs, and only of those.</summary>
public sealed class Application
{
    private readonly List<ApplicationOwner> _owners = [];

    private Application() { }

    public Application(string name, string? environment = null, string? criticality = null)
    {
        Id = Guid.NewGuid();
        Name = name;
        Environment = environment;
        Criticality = criticality;
    }

    public Guid Id { get; private set; }
    public string Name { get; set; } = "";
    public string? Environment { get; set; }
    public string? Criticality { get; set; }
    public IReadOnlyList<ApplicationOwner> Owners => _owners;

    public void AddOwner(OwnerKind kind, string principal)
    {
        if (_owners.Any(o => o.Kind == kind && o.Principal == principal)) return;
        _owners.Add(new ApplicationOwner(kind, principal));
    }

    public void RemoveOwner(OwnerKind kind, string principal) => _owners.RemoveAll(o => o.Kind == kind && o.Principal == principal);
}

public enum OwnerKind
{
    /// <summary>A portal user, by user ID.</summary>
    User,

    /// <summary>A group from the identity provider (an Entra group object ID) or a local group name.</summary>
    Group,
}

public sealed class ApplicationOwner
{
    private ApplicationOwner() { }

    public ApplicationOwner(OwnerKind kind, string principal)
    {
        Kind = kind;
        Principal = principal;
    }

    public long Id { get; private set; }
    public Guid ApplicationId { get; private set; }
    public OwnerKind Kind { get; private set; }
    public string Principal { get; private set; } = "";
}
