namespace Parks.Hosting.State;

/// <summary>
/// Told after every successful commit, on the committing thread; must be cheap and must not throw. The outbox
/// relay uses it to publish as soon as an event is committed instead of waiting for its next poll.
/// </summary>
public interface IStateCommitListener
{
    void Committed(StateTransaction transaction);
}
