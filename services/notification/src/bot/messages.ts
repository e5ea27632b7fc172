/**
 * The bot's answers to /start (document 000: registering needs the staff list and "a dialogue
 * started with the bot"; the documents' users read Russian).
 */
export const BOT_MESSAGES = {
  allowlisted: 'Вы в списке сотрудников. Теперь запросите код регистрации в админке — он придёт в этот чат.',
  notAllowlisted:
    'Вас нет в списке сотрудников. Обратитесь к администратору, чтобы вас добавили, и снова отправьте /start.',
  noUsername:
    'Чтобы зарегистрироваться, задайте имя пользователя (username) в настройках Telegram и снова отправьте /start.',
  tryLater: 'Сервис временно недоступен. Попробуйте отправить /start позже.',
} as const;
