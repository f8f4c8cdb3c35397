namespace MigrationPortal.Domain.Requests;

/// <summary>A group of requests decided and scheduled together, such as all VMs of one application.</summary>
public sealed class MigrationBatch
{
    private MigrationBatch() { }

    public MigrationBatch(string name, string createdById, DateTimeOffset createdAt)
    {
        Id = Guid.NewGuid();
        Name = name;
        CreatedById = createdById;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public string CreatedById { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
}
