package dev.sglj.engine.sched;

import dev.sglj.engine.cache.PrefixCache;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SGLang's {@code --schedule-policy}: the order in which waiting requests are considered for
 * admission. The cache-aware policies (lpm, dfs-weight) match each waiting request against the
 * prefix cache; lpm falls back to fcfs when the queue is longer than {@link #LPM_FALLBACK_QUEUE_LEN},
 * as SGLang does, since matching every request each step then costs more than it saves.
 */
public enum SchedulePolicy {
    FCFS("fcfs"), LPM("lpm"), DFS_WEIGHT("dfs-weight"), RANDOM("random");

    static final int LPM_FALLBACK_QUEUE_LEN = 128;

    private final String flag;

    SchedulePolicy(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }

    public static SchedulePolicy parse(String flag) {
        for (SchedulePolicy p : values()) {
            if (p.flag.equals(flag)) return p;
        }
        throw new IllegalArgumentException("--schedule-policy must be one of fcfs, lpm, dfs-weight, random (got '"
                + flag + "')");
    }

    /** The waiting requests in admission order (a new list; the queue itself is not changed). */
    List<Req> order(List<Req> waiting, PrefixCache cache, Random random) {
        List<Req> out = new ArrayList<>(waiting);
        switch (this) {
            case FCFS -> { }
            case LPM -> {
                if (out.size() <= LPM_FALLBACK_QUEUE_LEN) {
                    Map<Req, Integer> matched = new IdentityHashMap<>();
                    for (Req r : out) matched.put(r, cache.matchPrefix(r.allTokens(), r.length() - 1).length());
                    out.sort(Comparator.comparing((Req r) -> -matched.get(r)));
                }
            }
            case RANDOM -> java.util.Collections.shuffle(out, random);
            case DFS_WEIGHT -> out = dfsWeight(out, cache);
        }
        return out;
    }

    /**
     * Groups requests by the cached node their prefix ends at and walks the cached tree depth first,
     * heavier subtrees (more waiting requests under them) first, so requests sharing a prefix run
     * together while it is cached.
     */
    private static List<Req> dfsWeight(List<Req> waiting, PrefixCache cache) {
        Map<PrefixCache.Handle, List<Req>> atNode = new LinkedHashMap<>();
        for (Req r : waiting) {
            PrefixCache.Handle h = cache.matchPrefix(r.allTokens(), r.length() - 1).handle();
            atNode.computeIfAbsent(h, k -> new ArrayList<>()).add(r);
        }
        Map<PrefixCache.Handle, Integer> weight = new HashMap<>();
        Map<PrefixCache.Handle, List<PrefixCache.Handle>> children = new LinkedHashMap<>();
        PrefixCache.Handle root = null;
        for (var e : atNode.entrySet()) {
            PrefixCache.Handle child = null;
            for (PrefixCache.Handle h = e.getKey(); h != null; child = h, h = cache.parent(h)) {
                weight.merge(h, e.getValue().size(), Integer::sum);
                if (child != null) {
                    List<PrefixCache.Handle> kids = children.computeIfAbsent(h, k -> new ArrayList<>());
                    if (!kids.contains(child)) kids.add(child);
                }
                if (cache.parent(h) == null) root = h;
            }
        }
        List<Req> out = new ArrayList<>(waiting.size());
        if (root != null) visit(root, atNode, children, weight, out);
        return out;
    }

    private static void visit(PrefixCache.Handle node, Map<PrefixCache.Handle, List<Req>> atNode,
                              Map<PrefixCache.Handle, List<PrefixCache.Handle>> children,
                              Map<PrefixCache.Handle, Integer> weight, List<Req> out) {
        out.addAll(atNode.getOrDefault(node, List.of()));
        List<PrefixCache.Handle> kids = new ArrayList<>(children.getOrDefault(node, List.of()));
        kids.sort(Comparator.comparing((PrefixCache.Handle h) -> -weight.get(h)));
        for (PrefixCache.Handle k : kids) visit(k, atNode, children, weight, out);
    }
}
