/*
 * ui.h - the screen: the curses frontend.  Like plain mode it owns the
 * loop and shows what the model holds; unlike plain mode it reads keys,
 * not lines.  Only ui*.c include curses.
 */
#ifndef UI_H
#define UI_H

#include "app.h"
#include "model.h"

/*
 * Run the client on the terminal until the session ends; returns the exit
 * status.  where ("127.0.0.1:4000") is shown in the login view.  Returns
 * -1 before doing anything when the terminal cannot be used (unknown TERM),
 * so that the caller can fall back to plain mode.
 */
int	 ui_run(struct app *a, struct model *m, const char *where);
/*
 * Before ui_run: the time format of the lines (strftime; "" none) and
 * the directory of conversation logs ("" none).
 */
void	 ui_set_look(const char *time_format, const char *log_dir);

#endif /* UI_H */
