import { useRouter } from 'vue-router';
import { useIntakeStore } from '../stores/intake';
import { useSearchStore } from '../stores/search';
import { useSessionStore } from '../stores/session';

/**
 * Signing out from the header or the lock screen: the session ends, this desk's intake draft and
 * search are forgotten (the next officer sees neither), and the login screen opens.
 */
export function useSignOut(): { signOut(): Promise<void>; forgetDesk(): void } {
  const session = useSessionStore();
  const intake = useIntakeStore();
  const search = useSearchStore();
  const router = useRouter();
  const forgetDesk = () => {
    intake.reset();
    search.clear();
  };
  return {
    forgetDesk,
    async signOut() {
      await session.logout();
      forgetDesk();
      await router.push({ name: 'login' });
    },
  };
}
